# fio 4 KiB random I/O: IOPS (left) and p99 completion latency (right), one
# group of bars per fio workload, one bar per backend.
# Data: datadir/fio.dat, one row per backend (in the order of `backends`):
#   column 1 the backend, then for workload j of `workloads` (1-based) IOPS
#   median, IOPS ci_lo, IOPS ci_hi, p99 completion latency in µs in columns
#   4*j-2 .. 4*j+1 ('?' where missing: no bar, or no error bar).
# Variables: backends, workloads, yrange (the smallest and largest p99 in µs,
#   'lo hi', or ''), and the common ones: datadir, out, term, host, plotsdir.

plot_name = 'fio'
plot_w = 1400
plot_h = 650
if (!exists("plotsdir")) plotsdir = 'plots'
load plotsdir.'/common.gp'

file = datadir.'/fio.dat'
nb = words(backends)
nw = words(workloads)
bw = 0.8 / (nb < 2 ? 2 : nb)                   # width of one bar, a group is up to 0.8 wide
xc(j) = j - 1 + (column(0) - (nb - 1) / 2.0) * bw  # centre of this row's bar in group j
rowcolor(x) = bcolor(strcol(1), column(0) + 1)

set xrange [-0.6:nw - 0.4]
set xtics () rotate by 30 right scale 0
do for [j=1:nw] { set xtics add (word(workloads, j) j - 1) }
set grid noxtics ytics mytics

# Pixel layout: two equal panels, 200 px right of them for the legend.
set multiplot layout 1, 2 title titled('fio 4 KiB random I/O') font ',15' \
    margins 130.0 / plot_w, 1 - 200.0 / plot_w, 110.0 / plot_h, 1 - 90.0 / plot_h \
    spacing 110.0 / plot_w

set title 'IOPS' font ',13'
set ylabel 'IOPS (I/O operations per second)'
set yrange [0:*]
set format y '%.0f'
set key at screen 1 - 180.0 / plot_w, 1 - 90.0 / plot_h left top vertical
plot for [j=1:nw] file using (xc(j)):(column(4*j-2)):(bw):(rowcolor(0)) \
         with boxes fc rgb variable notitle, \
     for [j=1:nw] file using (xc(j)):(column(4*j-1)):(0):(column(4*j) - column(4*j-1)) \
         with vectors arrowstyle 1 notitle, \
     for [b=1:nb] keyentry with boxes fc rgb bcolor(word(backends, b), b) title word(backends, b)

set title 'p99 completion latency' font ',13'
set ylabel 'p99 latency (µs, log scale)'
set logscale y
# yrange: the smallest and largest p99 ('lo hi'), a factor of 2 of room either side.
if (exists("yrange") && words(yrange) == 2) {
    set yrange [(word(yrange, 1) + 0) / 2.0:(word(yrange, 2) + 0) * 2.0]
} else {
    set yrange [*:*]
    set offsets 0, 0, 0, graph 0.05
}
set format y '%g'
set ytics add (2, 5, 20, 50, 200, 500, 2000, 5000, 20000, 50000, 200000, 500000)
unset key
plot for [j=1:nw] file using (xc(j)):(column(4*j+1)):(bw):(rowcolor(0)) \
         with boxes fc rgb variable notitle

unset multiplot
