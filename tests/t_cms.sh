#!/bin/sh
# An article as a news CMS exports it (HTML paragraphs, character references, a script, the
# desk's lines at the end) reads as its text: no markup and no desk line is spoken, the
# newsroom symbols read as a news reader says them. SPDX-License-Identifier: GPL-3.0-or-later
BUILD=${BUILD:-build}
B=$BUILD/bobao
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/cms.txt" <<'ART'
<p>全市迎来降温降雨&nbsp;市民出行注意安全</p>
<p>本报记者&nbsp;王小明&nbsp;李华</p>
<p>&#12288;&#12288;记者从市气象台获悉，受冷空气影响，明天全市有中～大雨，气温晴－9℃／0℃。市气象台提醒&ldquo;市民注意防寒保暖&rdquo;，点击&gt;&gt;&gt;查看详情。</p>
<script type="text/javascript">var share = {title: "x"};</script>
<p>据了解，今年1—11月，全市蔬菜价格约为6——6.5元，400g／盒的草莓售价36.00元。</p>
<p>（完）</p>
<p>责任编辑：张三</p>
<p>来源：本报</p>
ART

cat >"$tmp/want" <<'TXT'
全市迎来降温降雨市民出行注意安全

本报记者王小明，李华

记者从市气象台获悉，受冷空气影响，明天全市有中到大雨，气温晴零下九摄氏度到零摄氏度。
市气象台提醒“市民注意防寒保暖”，点击查看详情。

据了解，今年一到十一月，全市蔬菜价格约为六到六点五元，四百克每盒的草莓售价三十六元。
TXT

if "$B" text "$tmp/cms.txt" >"$tmp/got" 2>"$tmp/err"; then ok
else bad "text of a CMS export failed: $(cat "$tmp/err")"; fi
if cmp -s "$tmp/got" "$tmp/want"; then ok
else bad "CMS export read wrongly: $(diff "$tmp/want" "$tmp/got" | head -n 6 | tr '\n' ' ')"; fi
# nothing of the markup reaches the speech
if grep -qE 'nbsp|和gt|<|>|&|share|完|编辑|来源' "$tmp/got"; then
	bad "markup or a desk line spoken: $(grep -E 'nbsp|和gt|<|>|&|share|完|编辑|来源' "$tmp/got" | head -n 2)"
else ok; fi
# the subtitles show the text, not the markup (WebVTT escapes > itself: &gt;)
if "$B" speak -q --vtt "$tmp/cms.txt" -o "$tmp/cms.wav" 2>"$tmp/err" &&
   ! grep -qE 'nbsp|ldquo|#12288|<p>|</p>|script' "$tmp/cms.vtt"; then ok
else bad "subtitles of a CMS export: $(cat "$tmp/err") $(grep -E 'nbsp|ldquo|#12288|<p>|</p>|script' "$tmp/cms.vtt" 2>&1 | head -n 2)"; fi

finish t_cms
