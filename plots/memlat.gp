# Memory latency against working-set size, one line per backend.
# Data: datadir/memlat.dat, one block per backend (blocks separated by two blank
#   lines, in the order of `backends`); each row: working set in bytes, median
#   ns per load, ci_lo, ci_hi ('?' where missing: no point, or no error bar).
# Variables: backends, and the common ones: datadir, out, term, host, plotsdir.

plot_name = 'memlat'
plot_w = 1100
plot_h = 650
if (!exists("plotsdir")) plotsdir = 'plots'
load plotsdir.'/common.gp'

file = datadir.'/memlat.dat'
nb = words(backends)

set title titled('Memory latency')
set xlabel 'working set (bytes)'
set ylabel 'latency (ns per load, log scale)'
set logscale xy
set xtics ('4K' 2**12, '16K' 2**14, '64K' 2**16, '256K' 2**18, '1M' 2**20, '4M' 2**22, \
           '16M' 2**24, '64M' 2**26, '256M' 2**28, '1G' 2**30, '4G' 2**32)
set mxtics 2
set format y '%g'
set ytics add (0.2, 0.5, 2, 5, 20, 50, 200, 500, 2000, 5000)
set grid xtics ytics
set autoscale xfix
set offsets graph 0.02, graph 0.02, 0, 0
set key outside right top vertical

plot for [b=1:nb] file index b - 1 using ($1):($3):(0):($4 - $3) \
         with vectors heads size screen 0.003, 90 lc rgb bcolor(word(backends, b), b) notitle, \
     for [b=1:nb] file index b - 1 using ($1):($2) \
         with linespoints lw 2 pt 7 ps 0.8 lc rgb bcolor(word(backends, b), b) \
         title word(backends, b)
