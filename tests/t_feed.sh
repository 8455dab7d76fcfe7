#!/bin/sh
# bobao feed: RSS 2.0 with the iTunes and Podcasting 2.0 namespaces over a batch's outputs
# (and a bulletin), read back with a feed parser (python3-feedparser) and an XML parser.
# SPDX-License-Identifier: GPL-3.0-or-later
BUILD=${BUILD:-build}
B=$(pwd)/$BUILD/bobao
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT

PY=python3 # Debian's, where python3-feedparser is
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
if ! $PY -c 'import feedparser' 2>/dev/null; then
	bad "python3-feedparser is not installed (make deps)"
	finish feed
	exit
fi

mkdir -p "$tmp/in/world" "$tmp/news"
cp tests/data/bulletin/economy.txt tests/data/bulletin/weather.txt "$tmp/in/"
cp tests/data/bulletin/sport.txt "$tmp/in/world/sport 体育.txt"
status_is 0 "batch" $B batch -q -j 2 "$tmp/in" "$tmp/out"
cp tests/data/bulletin/metro.txt tests/data/bulletin/economy.txt "$tmp/news/"
printf 'title: 晚间新闻\nmetro.txt\neconomy.txt\n' >"$tmp/news/rundown.txt"
status_is 0 "bulletin into the same folder" $B bulletin -q "$tmp/news/rundown.txt" \
	-o "$tmp/out/bulletin.wav" --json --vtt
# episode times: the bulletin newest, then weather, sport, economy
touch -d '2026-03-01 08:00:00Z' "$tmp/out/economy.wav"
touch -d '2026-03-01 09:00:00Z' "$tmp/out/world/sport 体育.wav"
touch -d '2026-03-01 10:00:00Z' "$tmp/out/weather.wav"
touch -d '2026-03-01 11:00:00Z' "$tmp/out/bulletin.wav"
echo 'not audio' >"$tmp/out/notes.txt"
cp "$tmp/out/economy.wav" "$tmp/out/orphan.wav" # no manifest: not an episode

status_is 0 "feed" $B feed "$tmp/out" --base-url https://news.example.org/audio/ \
	--title '早间 & 晚间新闻' --author 南通台 --image https://news.example.org/logo.png
$B feed "$tmp/out" --base-url https://news.example.org/audio/ --title '早间 & 晚间新闻' \
	--author 南通台 --image https://news.example.org/logo.png >"$tmp/feed.xml" 2>"$tmp/err"
check "feed: nothing on stderr" test ! -s "$tmp/err"
for f in economy weather "world/sport 体育"; do
	check "feed writes the chapters of $f" test -s "$tmp/out/$f.chapters.json"
done

$PY - "$tmp/feed.xml" "$tmp/out" >"$tmp/checks" 2>&1 <<'EOF'
import json, os, sys, urllib.parse
import xml.etree.ElementTree as ET
import feedparser
feed_path, out = sys.argv[1], sys.argv[2]
base = 'https://news.example.org/audio/'
def check(what, cond):
    print('%s %s' % ('ok' if cond else 'FAIL', what))
d = feedparser.parse(feed_path)
check('feedparser: well formed (bozo %s)' % d.get('bozo_exception'), not d.bozo)
check('feedparser: RSS 2.0 (%s)' % d.version, d.version == 'rss20')
check('channel title', d.feed.get('title') == '早间 & 晚间新闻')
check('channel itunes:author', d.feed.get('author') == '南通台' or d.feed.get('itunes_author') == '南通台')
check('channel itunes:image', d.feed.get('image', {}).get('href') == 'https://news.example.org/logo.png')
check('channel language', d.feed.get('language') == 'zh-cn')
titles = [e.title for e in d.entries]
check('four episodes, newest first: %s' % titles, titles ==
      ['晚间新闻', '明天全市有小雨', '市队2比1战胜对手', '一季度经济运行稳中有进'])
dates = [e.published_parsed for e in d.entries]
check('pubDate newest first', dates == sorted(dates, reverse=True) and dates[0][:4] == (2026, 3, 1, 11))
ns = {'itunes': 'http://www.itunes.com/dtds/podcast-1.0.dtd',
      'podcast': 'https://podcastindex.org/namespace/1.0'}
items = ET.parse(feed_path).getroot().find('channel').findall('item')
check('XML: four items', len(items) == 4)
def local(url):
    check('URL under the base: ' + url, url.startswith(base))
    return os.path.join(out, urllib.parse.unquote(url[len(base):]))
for e, item in zip(d.entries, items):
    name = e.title
    enc = e.enclosures[0] if e.enclosures else {}
    path = local(enc.get('href', ''))
    check(name + ': enclosure is the audio file', os.path.isfile(path) and path.endswith('.wav'))
    check(name + ': enclosure length is its size', int(enc.get('length', -1)) == os.path.getsize(path))
    check(name + ': enclosure type audio/wav', enc.get('type') == 'audio/wav')
    m = json.load(open(path[:-4] + '.json'))
    dur = item.find('itunes:duration', ns).text
    h, mi, s = (int(x) for x in dur.split(':'))
    check(name + ': itunes:duration %s is the manifest\'s %.1f s' % (dur, m['duration']),
          abs(h * 3600 + mi * 60 + s - m['duration']) <= 0.5)
    check(name + ': feedparser reads the duration', e.get('itunes_duration') == dur)
    tr = item.find('podcast:transcript[@type="text/vtt"]', ns)
    check(name + ': podcast:transcript (VTT)', tr is not None)
    if tr is not None:
        vtt = open(local(tr.get('url')), encoding='utf-8').read()
        check(name + ': the transcript is WebVTT', vtt.startswith('WEBVTT'))
    ch = item.find('podcast:chapters', ns)
    check(name + ': podcast:chapters of type application/json+chapters',
          ch is not None and ch.get('type') == 'application/json+chapters')
    if ch is not None:
        c = json.load(open(local(ch.get('url')), encoding='utf-8'))
        check(name + ': JSON chapters 1.2', c.get('version') == '1.2.0')
        starts = [x['startTime'] for x in c['chapters']]
        check(name + ': chapters in order, inside the audio', starts == sorted(starts) and
              all(0 <= x < m['duration'] for x in starts) and all(x.get('title') for x in c['chapters']))
        if name == '晚间新闻':
            check('bulletin: a chapter per story', [x['title'] for x in c['chapters']] ==
                  ['地铁5号线下月通车', '一季度经济运行稳中有进'])
    check(name + ': guid', e.get('id'))
EOF
while read -r status what; do
	if [ "$status" = ok ]; then ok; else bad "$what"; fi
done <"$tmp/checks"
check "the feed parser ran every check" test "$(grep -c '^ok\|^FAIL' "$tmp/checks")" -ge 60
grep -v '^ok\|^FAIL' "$tmp/checks" | head -5

check "the space and hanzi in a path are percent-encoded" \
	grep -q 'audio/world/sport%20%E4%BD%93%E8%82%B2.wav"' "$tmp/feed.xml"
check "an audio file without a manifest is left out" sh -c "! grep -q orphan $tmp/feed.xml"

# -o FILE: through a temporary; the same feed
status_is 0 "feed -o FILE" $B feed "$tmp/out" -o "$tmp/feed2.xml" --base-url https://news.example.org/audio \
	--title '早间 & 晚间新闻' --author 南通台 --image https://news.example.org/logo.png
check "feed -o FILE writes the same feed" cmp -s "$tmp/feed.xml" "$tmp/feed2.xml"
check "feed -o leaves no temporary" test -z "$(ls -A "$tmp" | grep '^\.')"

# errors
status_is 66 "feed of a missing folder" $B feed "$tmp/none" --base-url https://x --title t
check "missing folder: one line" test "$(wc -l <"$tmp/err")" = 1
status_is 64 "feed without --base-url" $B feed "$tmp/out" --title t
status_is 64 "feed without --title" $B feed "$tmp/out" --base-url https://x
status_is 64 "feed with an unknown option" $B feed "$tmp/out" --base-url https://x --title t --bogus
echo '{"title": ' >"$tmp/out/weather.json"
status_is 65 "an unreadable manifest" $B feed "$tmp/out" --base-url https://x --title t
check "an unreadable manifest: the episode left out, the others kept" \
	test "$(grep -c '<item>' "$tmp/stdout")" = 3
check "an unreadable manifest: one line naming it" grep -q 'weather.json.*left out' "$tmp/err"

finish feed
