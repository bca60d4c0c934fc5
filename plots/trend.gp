# Cells over a series of runs (vmbench trend): one panel per cell.
# Data: datadir/trend.dat, one block per panel (blocks separated by two blank
#   lines, in the order of 'workloads'), one row per run: run number, median,
#   ci_lo, ci_hi, the level of its segment (geometric mean of the segment's
#   medians), 1 where a change point starts a segment, the run's label (date or
#   commit), the change point's p-value; '?' where there is none.
# Variables: workloads (the panels' names), kinds (their units), and the
#   common ones.

plot_name = 'trend'
if (!exists("workloads")) workloads = ''
if (!exists("kinds")) kinds = ''
panels = words(workloads)
ncols = panels > 1 ? 2 : 1
nrows = (panels + ncols - 1) / ncols
plot_w = 1200
plot_h = 120 + 300 * nrows
if (!exists("plotsdir")) plotsdir = 'plots'
load plotsdir.'/common.gp'

file = datadir.'/trend.dat'

set multiplot layout nrows, ncols title titled('Cells over runs: median and 95% CI; line: segment levels, triangles: change points (E-divisive)') font ',13'
set title font ',12'
set xtics rotate by 30 right scale 0 font ',9'
set offsets 0.5, 0.5, graph 0.1, graph 0.1
set grid noxtics ytics
set key off
set format y '%g'
do for [i = 1:panels] {
    set title word(workloads, i).' ('.word(kinds, i).')'
    plot file index (i - 1) using 1:($2):($3):($4):xtic(7) with yerrorbars pt 7 ps 0.6 lc rgb '#0072b2', \
         file index (i - 1) using 1:($5) with lines lw 2 lc rgb '#009e73', \
         file index (i - 1) using ($6 > 0 ? $1 - 0.5 : 1/0):($5) with points pt 9 ps 1.6 lc rgb '#d55e00', \
         file index (i - 1) using ($6 > 0 ? $1 - 0.5 : 1/0):($5):(sprintf('p=%.3g', $8)) with labels offset 0, 1.2 font ',9' tc rgb '#d55e00'
}
unset multiplot
