# plot.gp - per-spawn cost against shell memory, from run-all's data file.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# gnuplot -e "datafile='...'; outfile='....png'; title='...'" plot.gp
# Columns: RSS MB of stock bash, then µs per spawn (medians) for stock
# bash, bash + tmplcache, dash and the C floor, then the best and worst
# round of stock bash and of tmplcache (drawn as bars); "?" marks a
# missing value.

set datafile missing "?"
set terminal pngcairo size 900,560 font "sans,11" noenhanced
set output outfile
set title title
set xlabel "bash resident memory (MB, log scale)"
set ylabel "µs per spawn of true (median, bars: best to worst round; log scale)"
set logscale xy
set grid
set key top left
set style data linespoints
plot datafile using 1:2:6:7 with yerrorlines title "stock bash (fork)" lw 2 pt 7 lc rgb "#c0392b", \
     datafile using 1:3:8:9 with yerrorlines title "bash + tmplcache" lw 2 pt 5 lc rgb "#2471a3", \
     datafile using 1:4 title "dash (part 1, flat reference)" lw 2 dt 2 pt 0 lc rgb "#7d7d7d", \
     datafile using 1:5 title "C floor: libspawntemplate spawn (part 1)" lw 2 dt 3 pt 0 lc rgb "#1e8449"
