# Settings shared by the vmbench plot scripts, loaded with
#   load plotsdir.'/common.gp'
# after the script has set plot_name (the default output name), plot_w and
# plot_h (image size in pixels).
# Variables read: out (output path without extension; default plot_name;
# vmbench creates out.'.'.term before it runs a script, then checks that
# file and renames it: the image goes there and nowhere else),
# term ('png', the default, or 'svg'), datadir (default '.'), host (free text
# appended to every title; default empty).
#
# Data files are tab-separated, '#' starts a comment line and '?' marks a
# missing value. '?' is deliberately not declared with `set datafile missing`:
# gnuplot 5.4 then warns about every plot element whose column holds nothing
# but '?' (a backend without any confidence interval, say). Left undeclared,
# '?' is an invalid number: the scripts read every column as ($N) or
# column(N), which turns it into NaN, and a NaN point is silently left out.

if (!exists("out")) out = plot_name
if (!exists("term")) term = 'png'
if (!exists("datadir")) datadir = '.'
if (!exists("host")) host = ''

set encoding utf8
if (term eq 'svg') {
    # pngcairo draws a point as 4/3 px; the same scale keeps both layouts alike.
    set terminal svg size plot_w, plot_h fixed noenhanced font 'DejaVu Sans,12' \
        fontscale 4.0 / 3 background rgb 'white' linewidth 1
    set output out.'.svg'
} else {
    set terminal pngcairo size plot_w, plot_h noenhanced font 'DejaVu Sans,12' \
        background rgb 'white' linewidth 1
    set output out.'.png'
}

set datafile separator tab
set datafile commentschars '#'

# Title of a plot: its subject followed by the host text.
titled(s) = host eq '' ? s : s.' '.host
set title font ',15'

set border 3 lw 1
set tics out nomirror
set grid back lt 1 lc rgb '#d9d9d9' lw 1, lt 1 lc rgb '#eeeeee' lw 1
set key noenhanced box lc rgb '#bbbbbb' opaque samplen 3 spacing 1.1 Left reverse width 1
set style fill solid 0.9 border lc rgb '#333333'
# Confidence intervals are drawn as vectors from ci_lo to ci_hi with flat ends:
#   with vectors arrowstyle 1
set style arrow 1 heads size screen 0.003, 90 lc rgb 'black' lw 1
set pointsize 1

# One colour per backend, the same in every plot (a nanoguest's a lighter shade
# of its accelerator's); a backend without its own colour takes a spare one by
# its position i in the list it comes from.
bcolor_spare(i) = word('0x8c564b 0xbcbd22 0x17becf 0x56b4e9 0xff9896 0x7f7f7f', (int(i) - 1) % 6 + 1) + 0
bcolor(name, i) = \
    name eq 'native'     ? 0x4d4d4d : \
    name eq 'container'  ? 0xe69f00 : \
    name eq 'gvisor'     ? 0xf0e442 : \
    name eq 'gvisor-kvm' ? 0xb8a800 : \
    name eq 'uml'        ? 0x7b52ae : \
    name eq 'tcg'        ? 0x009e73 : \
    name eq 'tcg-virtio' ? 0x0072b2 : \
    name eq 'kvm'        ? 0xd55e00 : \
    name eq 'kvm-virtio' ? 0xcc79a7 : \
    name eq 'tcg-nano'   ? 0x66c2a5 : \
    name eq 'kvm-nano'   ? 0xfdae6b : \
    bcolor_spare(i)

# One colour per trap kind, by its position k in the kinds list.
kcolors = '0x1f77b4 0xff7f0e 0x2ca02c 0xd62728 0x9467bd 0x8c564b 0xe377c2 0x7f7f7f ' . \
          '0xbcbd22 0x17becf 0xaec7e8 0xffbb78 0x98df8a 0xff9896 0xc5b0d5 0xc49c94'
kcolor(k) = word(kcolors, (int(k) - 1) % words(kcolors) + 1) + 0

