# Traps per operation by kind: one panel per workload, one stacked bar per backend.
# Data: datadir/traps.dat, one block per workload (blocks separated by two blank
#   lines, in the order of `workloads`); each row: column 1 the backend, then
#   column 1+k the traps per operation of kind k of `kinds` (0 where none; every
#   row has a number in every kind column).
# Variables: workloads, kinds, and the common ones: datadir, out, term, host,
#   plotsdir.
# The y axis is logarithmic and shared by all panels: it starts a decade below
# the smallest non-zero total of a bar (at most 7 decades below the top);
# zero segments are not drawn.

nw = words(workloads)
nk = words(kinds)
ncols = nw < 4 ? nw : 4                    # panels per row
nrows = (nw + ncols - 1) / ncols
plot_name = 'traps'
plot_w = ncols > 1 ? 440 + 300 * ncols : 1000
plot_h = 70 + 460 * nrows
if (!exists("plotsdir")) plotsdir = 'plots'
load plotsdir.'/common.gp'

file = datadir.'/traps.dat'

# Bottom and top of the segment of kind k in the current row; seg_hi(nk) is the
# row's total.
seg_lo(k) = sum [c=2:k] column(c)
seg_hi(k) = seg_lo(k) + column(k + 1)

# Shared y range: ymin a decade below the smallest positive total, ymax above the largest.
stats file using (seg_hi(nk)) nooutput
ymax = STATS_max > 0 ? 10**ceil(log10(STATS_max) + 0.1) : 1
stats file using (seg_hi(nk) > 0 ? seg_hi(nk) : 1e300) nooutput
ymin = STATS_min < 1e300 ? 10**(floor(log10(STATS_min)) - 1) : ymax / 1000
if (ymin < ymax / 1e7) ymin = ymax / 1e7
bot(y) = y > ymin ? y : ymin
# The top of a segment that shows, NaN (no box) for an empty or invisible one.
seg_top(k) = column(k + 1) > 0 && seg_hi(k) > ymin ? seg_hi(k) : NaN

set logscale y
set yrange [ymin:ymax]
set format y '%g'
set grid noxtics ytics
set xtics rotate by 45 right scale 0
set autoscale xfix
set offsets 0.6, 0.6, 0, 0
set title font ',13'

# Pixel layout: 110 px left, 260 px right for the legend, 90 px on top for the
# titles, 100 px at the bottom for the backend names, 140 px between rows.
set multiplot layout nrows, ncols title titled('Traps per operation') font ',15' \
    margins 110.0 / plot_w, 1 - 260.0 / plot_w, 100.0 / plot_h, 1 - 90.0 / plot_h \
    spacing 70.0 / plot_w, 140.0 / plot_h
do for [i=1:nw] {
    set title word(workloads, i)
    if ((i - 1) % ncols == 0) {
        set ylabel 'traps per operation (log scale)'
    } else {
        unset ylabel
    }
    if (i == 1) {
        set key at screen 1 - 235.0 / plot_w, 1 - 90.0 / plot_h left top vertical
    } else {
        unset key
    }
    plot for [k=1:nk] file index i - 1 \
             using 0:(seg_top(k)):($0 - 0.35):($0 + 0.35):(bot(seg_lo(k))):(seg_top(k)) \
             with boxxyerror fc rgb kcolor(k) notitle, \
         file index i - 1 using 0:(ymin):xtic(1) with dots lc rgb 'black' notitle, \
         for [k=1:nk] keyentry with boxes fc rgb kcolor(k) title word(kinds, k)
}
unset multiplot
