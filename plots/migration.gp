# Live migration against the rate the guest dirties its memory: the stop it
# costs (left) and how long the whole migration takes (right), one colour per
# backend.
# Data: datadir/migration.dat, one block per backend (blocks separated by two
#   blank lines, in the order of `backends`); each row, one per dirty rate
#   tried: the rate asked for in MiB/s, the median downtime QEMU reports (ms),
#   the median of the longest gap the guest saw between two reads of its clock
#   (ms), the median total time (s) ('?' where the rate has none: no
#   migration converged there, a gap in the line), and 1 at the first rate
#   where a migration did not converge (higher rates were not tried), else 0.
# Variables: backends, yrange (the largest downtime or gap in ms and the
#   largest total time in s, 'ms s', or ''), and the common ones: datadir,
#   out, term, host, plotsdir.

plot_name = 'migration'
plot_w = 1400
plot_h = 650
if (!exists("plotsdir")) plotsdir = 'plots'
load plotsdir.'/common.gp'

file = datadir.'/migration.dat'
nb = words(backends)
bc(b) = bcolor(word(backends, b), b)

# The tops of the axes: the largest value, and room above it for the marks of
# the rates that did not converge, one height per backend (backends often stop
# converging at the same rate: their marks would hide one another).
if (exists("yrange") && words(yrange) == 2) {
    max_ms = word(yrange, 1) + 0
    max_s = word(yrange, 2) + 0
} else {
    max_ms = 0
    max_s = 0
}
max_ms = max_ms > 0 ? max_ms : 1
max_s = max_s > 0 ? max_s : 1
top(m) = m * (1.1 + 0.06 * nb)
# The mark of a rate that did not converge: a dotted line up to backend b's
# height, a cross on it; NaN (nothing) on every other row.
mark(m, b) = column(5) == 1 ? m * (1.05 + 0.06 * b) : NaN

set xlabel 'dirty rate asked of the guest (MiB/s)'
# Rates are 0 and up: the axis starts at 0 (autoscaled, it would start at a tic
# below); its end is autoscaled but for one rate 0 alone, an empty range.
stats file using 1 nooutput
if (STATS_max > 0) {
    set xrange [0:*]
} else {
    set xrange [0:1]
}
set offsets 0, graph 0.04, 0, 0
set grid xtics ytics
set format y '%g'

# Pixel layout: two equal panels, 330 px right of them for the legend.
set multiplot layout 1, 2 title titled('Live migration against the dirty rate') font ',15' \
    margins 100.0 / plot_w, 1 - 330.0 / plot_w, 110.0 / plot_h, 1 - 90.0 / plot_h \
    spacing 100.0 / plot_w

set title 'Downtime' font ',13'
set ylabel 'downtime and longest gap (ms)'
set yrange [0:top(max_ms)]
set key at screen 1 - 310.0 / plot_w, 1 - 90.0 / plot_h left top vertical
plot for [b=1:nb] file index b - 1 using 1:($2) \
         with linespoints lw 2 pt 7 ps 0.9 lc rgb bc(b) notitle, \
     for [b=1:nb] file index b - 1 using 1:($3) \
         with linespoints lw 2 dt 2 pt 6 ps 0.9 lc rgb bc(b) notitle, \
     for [b=1:nb] file index b - 1 using 1:(mark(max_ms, b)) \
         with impulses lw 1.5 dt 3 lc rgb bc(b) notitle, \
     for [b=1:nb] file index b - 1 using 1:(mark(max_ms, b)) \
         with points pt 2 ps 1.5 lw 2 lc rgb bc(b) notitle, \
     for [b=1:nb] keyentry with lines lw 6 lc rgb bc(b) title word(backends, b), \
     keyentry with linespoints lw 2 pt 7 lc rgb 'black' title "QEMU's downtime", \
     keyentry with linespoints lw 2 dt 2 pt 6 lc rgb 'black' title "guest's longest gap", \
     keyentry with linespoints lw 1.5 dt 3 pt 2 lc rgb 'black' title 'did not converge'

set title 'Total time of the migration' font ',13'
set ylabel 'total time (s)'
set yrange [0:top(max_s)]
unset key
plot for [b=1:nb] file index b - 1 using 1:($4) \
         with linespoints lw 2 pt 7 ps 0.9 lc rgb bc(b) notitle, \
     for [b=1:nb] file index b - 1 using 1:(mark(max_s, b)) \
         with impulses lw 1.5 dt 3 lc rgb bc(b) notitle, \
     for [b=1:nb] file index b - 1 using 1:(mark(max_s, b)) \
         with points pt 2 ps 1.5 lw 2 lc rgb bc(b) notitle

unset multiplot
