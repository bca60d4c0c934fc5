# Slowdown of each backend relative to native, one group of bars per workload.
# Data: datadir/overhead.dat, one row per workload: column 1 the workload name,
#   then for backend i of `backends` (1-based) slowdown, ci_lo, ci_hi in
#   columns 3*i-1, 3*i, 3*i+1 ('?' where missing: no bar, or no error bar).
# Variables: backends (the non-native backends, in column order), and the
#   common ones: datadir, out, term, host, plotsdir.
# Bars start at 1 (native): up for slower, down for faster than native.

plot_name = 'overhead'
plot_w = 1400
plot_h = 650
if (!exists("plotsdir")) plotsdir = 'plots'
load plotsdir.'/common.gp'

file = datadir.'/overhead.dat'
nb = words(backends)
bw = 0.8 / (nb < 2 ? 2 : nb)                   # width of one bar, a group is up to 0.8 wide
xc(b) = column(0) + (b - (nb + 1) / 2.0) * bw  # centre of backend b's bar in this row

set title titled('Overhead relative to native')
set ylabel 'slowdown vs native (×, log scale)'
set logscale y
set format y '%g'
set ytics add (0.02, 0.05, 0.2, 0.5, 2, 5, 20, 50, 200, 500, 2000, 5000)
set grid noxtics ytics mytics
set xtics rotate by 45 right scale 0
set autoscale xfix
set offsets 0.15, 0.15, 0, 0
set key outside right top vertical

plot for [b=1:nb] file using (xc(b)):(column(3*b-1)):(xc(b) - bw / 2):(xc(b) + bw / 2): \
         (column(3*b-1) < 1 ? column(3*b-1) : 1):(column(3*b-1) < 1 ? 1 : column(3*b-1)) \
         with boxxyerror fc rgb bcolor(word(backends, b), b) notitle, \
     for [b=1:nb] file using (xc(b)):(column(3*b)):(0):(column(3*b+1) - column(3*b)) \
         with vectors arrowstyle 1 notitle, \
     file using 0:(1):xtic(1) with dots lc rgb 'black' notitle, \
     1 with lines lc rgb 'black' lw 1.5 dt 2 title 'native (1×)', \
     for [b=1:nb] keyentry with boxes fc rgb bcolor(word(backends, b), b) title word(backends, b)
