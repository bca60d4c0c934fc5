# Lifecycle operations side by side: one group of bars per backend, one bar per
# operation measured in seconds (boot, restore, clone, snapshot, resize), so that a
# backend's boot stands beside what starting from a saved state costs it.
# Data: datadir/lifecycle.dat, one row per backend (in the order of `backends`):
#   column 1 the backend, then for operation j of `workloads` (1-based) the
#   median in seconds, ci_lo, ci_hi in columns 3*j-1, 3*j, 3*j+1 ('?' where
#   missing: no bar, or no error bar).
# Variables: backends, workloads (in column order), yrange (the smallest and
#   largest value in s, 'lo hi', or ''), and the common ones: datadir, out,
#   term, host, plotsdir.
# The y axis is logarithmic (a restore takes milliseconds where a boot takes
# seconds), from the decade below the smallest value to the decade above the
# largest; bars start at its bottom.

nb = words(backends)
nw = words(workloads)
plot_name = 'lifecycle'
# Wide enough for a bar of about 25 px per operation in every group.
group_px = nw < 3 ? 80 : 28 * nw
plot_w = 420 + nb * group_px
plot_w = plot_w < 1000 ? 1000 : (plot_w > 4000 ? 4000 : plot_w)
plot_h = 650
if (!exists("plotsdir")) plotsdir = 'plots'
load plotsdir.'/common.gp'

file = datadir.'/lifecycle.dat'
bw = 0.8 / (nw < 2 ? 2 : nw)                   # width of one bar, a group is up to 0.8 wide
xc(j) = column(0) + (j - (nw + 1) / 2.0) * bw  # centre of operation j's bar in this row

# One colour per operation, the same in every run: boot in the grey of native
# (the reference the others are read against), the others by name; an
# operation without its own colour takes a kind colour by its position j.
opname(j) = word(workloads, j)
opcolor(j) = \
    opname(j) eq 'lifecycle.boot'     ? 0x4d4d4d : \
    opname(j) eq 'lifecycle.restore'  ? 0x0072b2 : \
    opname(j) eq 'lifecycle.clone'    ? 0x009e73 : \
    opname(j) eq 'lifecycle.snapshot' ? 0xe69f00 : \
    opname(j) eq 'lifecycle.migrate'  ? 0xcc79a7 : \
    opname(j) eq 'lifecycle.resize'   ? 0x56b4e9 : \
    kcolor(j)

# yrange: 'lo hi' in s; a decade of room at least, never an empty range.
if (exists("yrange") && words(yrange) == 2 && word(yrange, 1) + 0 > 0) {
    ymin = 10.0**floor(log10((word(yrange, 1) + 0) * 0.9))
    ymax = 10.0**ceil(log10((word(yrange, 2) + 0) * 1.1))
} else {
    ymin = 0.001
    ymax = 100
}
if (ymax <= ymin) ymax = ymin * 10

# A value as it reads best: milliseconds below a second.
fmt_s(v) = v < 1 ? sprintf('%.3g ms', v * 1000) : sprintf('%.3g s', v)

set title titled('Lifecycle operations')
set ylabel 'time (s, log scale)'
set logscale y
set yrange [ymin:ymax]
set format y '%g'
# Within three decades, ticks at 2 and 5 too.
if (ymax / ymin <= 1000.5) {
    set ytics add (0.0002, 0.0005, 0.002, 0.005, 0.02, 0.05, 0.2, 0.5, 2, 5, 20, 50, 200, 500)
}
set grid noxtics ytics mytics
set xtics rotate by 30 right scale 0
set autoscale xfix
set offsets 0.6, 0.6, 0, 0
set key outside right top vertical

# Each bar's value is written above it (above its error bar when it has one),
# turned upright so that neighbouring bars' values do not run into each other.
plot for [j=1:nw] file using (xc(j)):(column(3*j-1)):(xc(j) - bw / 2):(xc(j) + bw / 2): \
         (ymin):(column(3*j-1)) \
         with boxxyerror fc rgb opcolor(j) notitle, \
     for [j=1:nw] file using (xc(j)):(column(3*j)):(0):(column(3*j+1) - column(3*j)) \
         with vectors arrowstyle 1 notitle, \
     for [j=1:nw] file using (xc(j)):(valid(3*j+1) ? column(3*j+1) : column(3*j-1)): \
         (fmt_s(column(3*j-1))) \
         with labels rotate by 90 left offset 0, 0.4 font ',9' notitle, \
     file using 0:(ymin):xtic(1) with dots lc rgb 'black' notitle, \
     for [j=1:nw] keyentry with boxes fc rgb opcolor(j) title opname(j), \
     keyentry with vectors arrowstyle 1 title '95% CI'
