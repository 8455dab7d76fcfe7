#!/bin/sh
# Traditional-character articles are read as fully as simplified ones: no common hanzi of a
# Taiwan or Hong Kong article (UTF-8 and Big5) is left without a reading, and both scripts
# read a sentence alike. SPDX-License-Identifier: GPL-3.0-or-later
BUILD=${BUILD:-build}
B=$BUILD/bobao
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/tw.txt" <<'ART'
臺灣經濟成長率上修 出口表現亮眼

行政院主計總處今天發布最新經濟預測，將今年經濟成長率上修至百分之三點二，主要受惠於人工智慧相關產品的出口暢旺。主計長表示，全球景氣雖然仍有不確定性，但臺灣的半導體產業競爭力強，訂單能見度已延伸到明年。

在國內需求方面，民間消費持續回溫，百貨公司週年慶業績創下新高，觀光旅遊人數也明顯增加。不過，物價上漲的壓力依舊存在，中央銀行總裁說，將密切關注房地產市場與通貨膨脹的變化，必要時會採取適當措施。

颱風過後，農業損失估計超過十億元，高麗菜與香蕉價格大漲。農業部長前往雲林、嘉義等災區視察，承諾儘快發放補助，並協助農民重建溫室。許多果農說，這次颱風來得又快又急，連續豪雨讓田裡的作物幾乎全部泡水，希望政府的救助能夠及時到位。

香港特區政府同日公布施政報告，行政長官表示將加快北部都會區的發展，興建更多公營房屋，並推出措施吸引海外人才。報告亦提到，九龍東與尖沙咀一帶將進行交通改善工程，彌敦道部分路段會實施臨時封路，旺角及銅鑼灣的行人專用區也會重新規劃。

學者認為，兩地經濟都面臨人口老化與少子化的挑戰，必須從教育、醫療與長期照顧體系著手，才能維持社會的穩定與繁榮。這個問題牽涉層面很廣，需要各界共同努力。
ART

# every hanzi of U+4E00-U+9FFF has a reading (tsv: sentence, unit, reading)
if "$B" proof --format tsv "$tmp/tw.txt" >"$tmp/tw.tsv" 2>"$tmp/err"; then ok
else bad "proof of a traditional article failed: $(cat "$tmp/err")"; fi
empty=$(LC_ALL=C awk -F'\t' '$2 ~ /^[\344-\351][\200-\277][\200-\277]$/ && $3 == "" {print $2}' \
	"$tmp/tw.tsv" | tr '\n' ' ')
hanzi=$(LC_ALL=C awk -F'\t' '$2 ~ /^[\344-\351][\200-\277][\200-\277]$/' "$tmp/tw.tsv" | wc -l)
if [ "$hanzi" -gt 400 ] && [ -z "$empty" ]; then ok
else bad "traditional article: $hanzi hanzi, without a reading: $empty"; fi

# the same article in Big5 reads the same
if iconv -f UTF-8 -t BIG5 "$tmp/tw.txt" >"$tmp/big5.txt" 2>/dev/null; then
	"$B" proof --format tsv "$tmp/big5.txt" >"$tmp/big5.tsv" 2>"$tmp/err"
	if cmp -s "$tmp/tw.tsv" "$tmp/big5.tsv"; then ok
	else bad "Big5 article reads otherwise than UTF-8: $(diff "$tmp/tw.tsv" "$tmp/big5.tsv" | head -5)"; fi
fi

# a traditional sentence reads as its simplified form does (no merged characters in it)
trad='這個國家的經濟發展很快，銀行業務報導說重要的調查還在進行。'
simp='这个国家的经济发展很快，银行业务报导说重要的调查还在进行。'
a=$(printf '%s\n' "$trad" | "$B" proof --format tsv - | cut -f3 | tr '\n' ' ')
b=$(printf '%s\n' "$simp" | "$B" proof --format tsv - | cut -f3 | tr '\n' ' ')
if [ -n "$a" ] && [ "$a" = "$b" ]; then ok; else bad "traditional: $a / simplified: $b"; fi

# characters that t2s merges keep their own readings
r=$(printf '頭髮和發展，乾燥的幹部，乾隆。\n' | "$B" proof --format tsv - | cut -f3 | tr '\n' ' ')
case $r in
*"tou2 fa5 he2 fa1 zhan3"*"gan1 zao4 de5 gan4 bu4"*"qian2 long2"*) ok ;;
*) bad "merged characters: $r" ;;
esac

finish traditional
