# Boot time of each backend, up to the agent's HELLO.
# Data: datadir/boot.dat, one row per backend: column 1 the backend, then the
#   median in seconds, ci_lo, ci_hi ('?' for a missing confidence interval:
#   the bar without its error bar).
# Variables: only the common ones: datadir, out, term, host, plotsdir.

plot_name = 'boot'
plot_w = 900
plot_h = 600
if (!exists("plotsdir")) plotsdir = 'plots'
load plotsdir.'/common.gp'

file = datadir.'/boot.dat'

set title titled('Boot time')
set ylabel "boot time to the agent's HELLO (s, log scale)"
set logscale y
set format y '%g'
set ytics add (0.002, 0.005, 0.02, 0.05, 0.2, 0.5, 2, 5, 20, 50, 200, 500)
set grid noxtics ytics mytics
set xtics rotate by 30 right scale 0
set autoscale xfix
set offsets 0.6, 0.6, 0, graph 0.05
set key inside top left

# The value is written above the bar, or above its error bar when there is one.
plot file using 0:($2):(0.6):(bcolor(strcol(1), column(0) + 1)):xtic(1) \
         with boxes fc rgb variable notitle, \
     file using 0:($3):(0):($4 - $3) with vectors arrowstyle 1 title '95% CI', \
     file using 0:(valid(4) ? $4 : $2):(sprintf('%.3g s', $2)) \
         with labels offset 0, 0.7 notitle
