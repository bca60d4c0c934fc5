# What one trap costs: the time of each trap.* operation, one group of bars per
# operation, one bar per backend (Adams and Agesen's table as a picture).
# Data: datadir/trapcost.dat, one row per operation (in the order of `workloads`):
#   column 1 the workload name, then for backend i of `backends` (1-based) the
#   median in ns/op, ci_lo, ci_hi in columns 3*i-1, 3*i, 3*i+1 ('?' where
#   missing: no bar, or no error bar).
# Variables: backends (in column order), workloads, yrange (the smallest and
#   largest value in ns, 'lo hi', or ''), and the common ones: datadir, out,
#   term, host, plotsdir.
# The y axis is logarithmic, from the decade below the smallest value to the
# decade above the largest; bars start at its bottom.

nb = words(backends)
nw = words(workloads)
plot_name = 'trapcost'
# Wide enough for a bar of about 12 px per backend in every group.
group_px = nb < 3 ? 40 : 13 * nb
plot_w = 420 + nw * group_px
plot_w = plot_w < 1000 ? 1000 : (plot_w > 4000 ? 4000 : plot_w)
plot_h = 650
if (!exists("plotsdir")) plotsdir = 'plots'
load plotsdir.'/common.gp'

file = datadir.'/trapcost.dat'
bw = 0.8 / (nb < 2 ? 2 : nb)                   # width of one bar, a group is up to 0.8 wide
xc(b) = column(0) + (b - (nb + 1) / 2.0) * bw  # centre of backend b's bar in this row

# yrange: 'lo hi' in ns; a decade of room at least, never an empty range.
if (exists("yrange") && words(yrange) == 2 && word(yrange, 1) + 0 > 0) {
    ymin = 10.0**floor(log10((word(yrange, 1) + 0) * 0.9))
    ymax = 10.0**ceil(log10((word(yrange, 2) + 0) * 1.1))
} else {
    ymin = 0.1
    ymax = 1e6
}
if (ymax <= ymin) ymax = ymin * 10

set title titled('What one trap costs')
set ylabel 'time per operation (ns, log scale)'
set logscale y
set yrange [ymin:ymax]
set format y '%g'
# Within two decades, ticks at 2 and 5 too (as the overhead plot's).
if (ymax / ymin <= 100.5) {
    set ytics add (0.02, 0.05, 0.2, 0.5, 2, 5, 20, 50, 200, 500, 2000, 5000, 20000, 50000)
}
set grid noxtics ytics mytics
set xtics rotate by 45 right scale 0
set autoscale xfix
set offsets 0.6, 0.6, 0, 0
set key outside right top vertical

plot for [b=1:nb] file using (xc(b)):(column(3*b-1)):(xc(b) - bw / 2):(xc(b) + bw / 2): \
         (ymin):(column(3*b-1)) \
         with boxxyerror fc rgb bcolor(word(backends, b), b) notitle, \
     for [b=1:nb] file using (xc(b)):(column(3*b)):(0):(column(3*b+1) - column(3*b)) \
         with vectors arrowstyle 1 notitle, \
     file using 0:(ymin):xtic(1) with dots lc rgb 'black' notitle, \
     for [b=1:nb] keyentry with boxes fc rgb bcolor(word(backends, b), b) title word(backends, b), \
     keyentry with vectors arrowstyle 1 title '95% CI'
