#!/bin/sh
# Convert the sample works written here (Markdown, pandoc's dialect) into the
# word-processor and HTML files of samples/drop/works/w08, as a writer's
# editor would have saved them.  Run from this folder: sh make.sh
set -eu
out=../drop/works/w08
mkdir -p "$out"
pandoc -f markdown orchard-letters.md -o "$out/orchard-letters.docx"
pandoc -f markdown bridge-song.md -o "$out/bridge-song.odt"
pandoc -f markdown -s winter-kitchen.md -o "$out/winter-kitchen.rtf"
pandoc -f markdown -s --metadata pagetitle='Night Ferry' night-ferry.md \
    -o "$out/night-ferry.html"
