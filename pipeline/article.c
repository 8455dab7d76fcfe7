/* article: decoded text -> title, headings, paragraphs, bylines, captions. SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bobao.h"

/* ---- HTML left in CMS exports --------------------------------------------------------- */

/* The named character references news CMS exports use (HTML5 names), by name. */
static const struct {
	const char *name;
	uint32_t cp;
} entities[] = {
	{"nbsp", 0xA0}, {"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''},
	{"ldquo", 0x201C}, {"rdquo", 0x201D}, {"lsquo", 0x2018}, {"rsquo", 0x2019},
	{"bdquo", 0x201E}, {"sbquo", 0x201A}, {"laquo", 0xAB}, {"raquo", 0xBB},
	{"lsaquo", 0x2039}, {"rsaquo", 0x203A}, {"mdash", 0x2014}, {"ndash", 0x2013},
	{"hellip", 0x2026}, {"middot", 0xB7}, {"bull", 0x2022}, {"deg", 0xB0}, {"plusmn", 0xB1},
	{"times", 0xD7}, {"divide", 0xF7}, {"minus", 0x2212}, {"permil", 0x2030},
	{"yen", 0xA5}, {"euro", 0x20AC}, {"pound", 0xA3}, {"cent", 0xA2}, {"copy", 0xA9},
	{"reg", 0xAE}, {"trade", 0x2122}, {"sect", 0xA7}, {"para", 0xB6}, {"sup1", 0xB9},
	{"sup2", 0xB2}, {"sup3", 0xB3}, {"frac12", 0xBD}, {"frac14", 0xBC}, {"frac34", 0xBE},
	{"emsp", 0x2003}, {"ensp", 0x2002}, {"thinsp", 0x2009}, {"ideographicspace", 0x3000},
	{"zwnj", 0x200C}, {"zwj", 0x200D}, {"lrm", 0x200E}, {"rlm", 0x200F}, {"shy", 0xAD},
	{"larr", 0x2190}, {"rarr", 0x2192}, {"uarr", 0x2191}, {"darr", 0x2193},
	{"le", 0x2264}, {"ge", 0x2265}, {"ne", 0x2260}, {"asymp", 0x2248}, {"infin", 0x221E},
	{"micro", 0xB5}, {"alpha", 0x3B1}, {"beta", 0x3B2}, {"gamma", 0x3B3}, {"mu", 0x3BC},
	{"hyphen", 0x2010}, {"dash", 0x2010}, {"horbar", 0x2015}, {"prime", 0x2032},
	{"Prime", 0x2033}, {"star", 0x2606}, {"starf", 0x2605}, {"check", 0x2713},
	{"iexcl", 0xA1}, {"iquest", 0xBF}, {"ordm", 0xBA}, {"ordf", 0xAA}, {"macr", 0xAF},
	{"acute", 0xB4}, {"uml", 0xA8}, {"cedil", 0xB8}, {"brvbar", 0xA6}, {"not", 0xAC},
	{"curren", 0xA4}, {"eacute", 0xE9}, {"egrave", 0xE8}, {"agrave", 0xE0}, {"aacute", 0xE1},
	{"uuml", 0xFC}, {"ouml", 0xF6}, {"auml", 0xE4}, {"ccedil", 0xE7}, {"ntilde", 0xF1},
};

/* The code point of the character reference at s (after its '&', up to n bytes: "nbsp;",
 * "#12288;", "#x3000;"); *len gets its length with the ';'. 0 when it is none. */
static uint32_t entity_at(const char *s, size_t n, size_t *len)
{
	size_t k = 0;
	uint32_t cp = 0;
	if (n >= 3 && s[0] == '#') {
		int hex = s[1] == 'x' || s[1] == 'X';
		size_t d = 0;
		for (k = 1 + (size_t)hex; k < n && k < 10; k++, d++) {
			char c = s[k];
			int v = c >= '0' && c <= '9' ? c - '0' : !hex ? -1 :
				c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
			if (v < 0)
				break;
			cp = cp * (hex ? 16 : 10) + (uint32_t)v;
		}
		if (!d || k >= n || s[k] != ';' || cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		/* &#147; &#150;: 0x80-0x9F are read as Windows-1252, as HTML does */
		static const uint16_t cp1252[32] = {
			0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
			0x2039, 0x0152, 0, 0x017D, 0, 0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013,
			0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
		};
		if (cp >= 0x80 && cp <= 0x9F)
			cp = cp1252[cp - 0x80] ? cp1252[cp - 0x80] : ' ';
		*len = k + 1;
		return cp;
	}
	while (k < n && k < 20 && ((s[k] >= 'a' && s[k] <= 'z') || (s[k] >= 'A' && s[k] <= 'Z') ||
				   (s[k] >= '0' && s[k] <= '9')))
		k++;
	/* without its ';' only the few names that HTML reads so too (&nbsp &amp &lt &gt &quot) */
	int semi = k < n && s[k] == ';';
	if (!k || (!semi && k > 4))
		return 0;
	for (size_t e = 0; e < sizeof entities / sizeof entities[0]; e++)
		if (strlen(entities[e].name) == k && memcmp(entities[e].name, s, k) == 0) {
			if (!semi && e > 4)
				return 0;
			*len = k + (size_t)semi;
			return entities[e].cp;
		}
	return 0;
}

/* HTML elements as CMS exports leave them: block elements end a line, inline ones go, and
 * the content of script and style goes with them. */
enum tag_kind { TAG_INLINE, TAG_BLOCK, TAG_DROP };
static const struct {
	const char *name;
	enum tag_kind kind;
} tags[] = {
	{"p", TAG_BLOCK}, {"br", TAG_BLOCK}, {"div", TAG_BLOCK}, {"h1", TAG_BLOCK},
	{"h2", TAG_BLOCK}, {"h3", TAG_BLOCK}, {"h4", TAG_BLOCK}, {"h5", TAG_BLOCK},
	{"h6", TAG_BLOCK}, {"li", TAG_BLOCK}, {"ul", TAG_BLOCK}, {"ol", TAG_BLOCK},
	{"tr", TAG_BLOCK}, {"table", TAG_BLOCK}, {"tbody", TAG_BLOCK}, {"thead", TAG_BLOCK},
	{"section", TAG_BLOCK}, {"article", TAG_BLOCK}, {"blockquote", TAG_BLOCK},
	{"hr", TAG_BLOCK}, {"figure", TAG_BLOCK}, {"figcaption", TAG_BLOCK}, {"header", TAG_BLOCK},
	{"footer", TAG_BLOCK}, {"pre", TAG_BLOCK}, {"dd", TAG_BLOCK}, {"dt", TAG_BLOCK},
	{"dl", TAG_BLOCK}, {"center", TAG_BLOCK}, {"html", TAG_BLOCK}, {"body", TAG_BLOCK},
	{"b", TAG_INLINE}, {"i", TAG_INLINE}, {"u", TAG_INLINE}, {"s", TAG_INLINE},
	{"em", TAG_INLINE}, {"strong", TAG_INLINE}, {"span", TAG_INLINE}, {"a", TAG_INLINE},
	{"font", TAG_INLINE}, {"sup", TAG_INLINE}, {"sub", TAG_INLINE}, {"small", TAG_INLINE},
	{"big", TAG_INLINE}, {"img", TAG_INLINE}, {"strike", TAG_INLINE}, {"ins", TAG_INLINE},
	{"del", TAG_INLINE}, {"mark", TAG_INLINE}, {"abbr", TAG_INLINE}, {"cite", TAG_INLINE},
	{"code", TAG_INLINE}, {"time", TAG_INLINE}, {"label", TAG_INLINE}, {"td", TAG_INLINE},
	{"th", TAG_INLINE}, {"wbr", TAG_INLINE}, {"o:p", TAG_INLINE}, {"meta", TAG_INLINE},
	{"link", TAG_INLINE}, {"source", TAG_INLINE}, {"video", TAG_INLINE}, {"audio", TAG_INLINE},
	{"iframe", TAG_DROP}, {"script", TAG_DROP}, {"style", TAG_DROP}, {"head", TAG_DROP},
	{"title", TAG_DROP}, {"noscript", TAG_DROP},
};

/* The length of the tag at s ('<' ... '>', n bytes on), its kind and whether it closes;
 * 0 when s is no tag of the table (5<6, a<b stay text). */
static size_t tag_at(const char *s, size_t n, enum tag_kind *kind, int *closing, size_t *name,
		     size_t *namelen)
{
	size_t k = 1;
	*closing = k < n && s[k] == '/';
	k += (size_t)*closing;
	size_t a = k;
	while (k < n && k - a < 12 && ((s[k] >= 'a' && s[k] <= 'z') || (s[k] >= 'A' && s[k] <= 'Z') ||
				       (s[k] >= '0' && s[k] <= '9') || s[k] == ':'))
		k++;
	if (k == a || k >= n || !(s[k] == '>' || s[k] == '/' || s[k] == ' ' || s[k] == '\n' || s[k] == '\t'))
		return 0;
	size_t e = 0;
	for (; e < sizeof tags / sizeof tags[0]; e++)
		if (strlen(tags[e].name) == k - a && strncasecmp(tags[e].name, s + a, k - a) == 0)
			break;
	if (e == sizeof tags / sizeof tags[0])
		return 0;
	/* attributes up to '>', never past 2000 bytes; a '>' inside quotes does not end it */
	char q = 0;
	for (; k < n && k < 2000; k++) {
		if (q) {
			q = s[k] == q ? 0 : q;
		} else if (s[k] == '"' || s[k] == '\'') {
			q = s[k];
		} else if (s[k] == '>') {
			*kind = tags[e].kind;
			*name = a;
			*namelen = strlen(tags[e].name);
			return k + 1;
		} else if (s[k] == '<') {
			return 0;
		}
	}
	return 0;
}

/* Where the closing tag </name> of a dropped element starts after i, or n. */
static size_t drop_end(const char *s, size_t i, size_t n, const char *name, size_t len)
{
	for (; i + len + 2 < n; i++)
		if (s[i] == '<' && s[i + 1] == '/' && strncasecmp(s + i + 2, name, len) == 0 &&
		    (s[i + 2 + len] == '>' || s[i + 2 + len] == ' '))
			return i;
	return n;
}

/* Decodes character references (&nbsp; &ldquo; &#12288; &#x3000;, and the doubly escaped
 * &amp;nbsp;) and removes HTML tags and comments, in place: block elements become line
 * breaks, script and style go with their content. Text that is no markup (5<6, A&B) stays. */
static void strip_markup(struct bb_text *t)
{
	char *s = t->s;
	size_t n = t->len, o = 0;
	if (!s || (!memchr(s, '&', n) && !memchr(s, '<', n)))
		return;
	for (size_t i = 0; i < n;) {
		size_t len;
		uint32_t cp;
		if (s[i] == '&' && (cp = entity_at(s + i + 1, n - i - 1, &len)) != 0) {
			size_t more;
			uint32_t again;
			i += 1 + len;
			if (cp == '&' && i < n && (again = entity_at(s + i, n - i, &more)) != 0)
				cp = again, i += more; /* &amp;nbsp;: a reference escaped twice */
			if (cp < 0x20 && cp != '\t' && cp != '\n')
				continue;
			char buf[4];
			size_t l = bb_utf8_encode(cp, buf);
			memcpy(s + o, buf, l); /* a reference is longer than its character */
			o += l;
			continue;
		}
		if (s[i] == '<' && i + 3 < n && memcmp(s + i, "<!--", 4) == 0) {
			const char *e = memmem(s + i + 4, n - i - 4, "-->", 3);
			i = e ? (size_t)(e - s) + 3 : n;
			continue;
		}
		enum tag_kind kind;
		int closing;
		size_t name, namelen;
		if (s[i] == '<' && (len = tag_at(s + i, n - i, &kind, &closing, &name, &namelen)) != 0) {
			const char *nm = s + i + name;
			i += len;
			if (kind == TAG_DROP && !closing) {
				size_t e = drop_end(s, i, n, nm, namelen);
				i = e;
			} else if (kind == TAG_BLOCK) {
				s[o++] = '\n';
			}
			continue;
		}
		s[o++] = s[i++];
	}
	t->len = o;
	s[o] = '\0';
}

/* Longest line (in characters) that can be a heading, byline or caption. */
#define SHORT_LINE_CHARS 30

static const char *const kind_names[] = {"title", "heading", "body", "byline", "caption",
						  "clip"};

const char *bb_kind_name(enum bb_kind kind)
{
	return (unsigned)kind < sizeof kind_names / sizeof kind_names[0] ? kind_names[kind] : "?";
}

/* Words that open a byline: 本报记者 陈可, 记者 X, 通讯员 X. */
static const char *const byline_openers[] = {
	"本报记者", "本报通讯员", "特约记者", "见习记者", "记者", "通讯员", "文/", "文／", "作者",
	"（记者", "(记者",
};

/* Lines of the production desk rather than the story, silent like captions: 责任编辑：X,
 * 来源：X, （完）. */
static const char *const desk_openers[] = {
	"责任编辑", "责编：", "责编:", "责编 ", "编辑：", "编辑:", "编辑 ", "校对：", "校对:",
	"审核：", "审核:", "审校：", "来源：", "来源:", "稿源：", "（完）", "(完)", "【完】", "〔完〕",
	"[完]",
};

/* The end mark of a wire story, after its last sentence: ……表示。（完） */
static const char *const end_marks[] = {"（完）", "(完)", "【完】", "〔完〕", "[完]"};

/* A photo caption ends in 摄, perhaps inside a bracket: 开发区晨景 陆忠伟摄, （新华社发 X摄） */
static int is_caption_end(const char *p, size_t n)
{
	static const char *const ends[] = {"摄", "摄）", "摄)", "摄】"};
	for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++) {
		size_t e = strlen(ends[i]);
		if (n >= e && memcmp(p + n - e, ends[i], e) == 0)
			return 1;
	}
	return 0;
}

/* Marks that end a sentence; a line ending in one is a paragraph, not a heading. */
static const uint32_t final_marks[] = {
	0x3002, 0xFF01, 0xFF1F, 0xFF1B, 0x2026, '.', '!', '?', ';', 0xFF0E,
};

static int is_final_mark(uint32_t cp)
{
	for (size_t i = 0; i < sizeof final_marks / sizeof final_marks[0]; i++)
		if (final_marks[i] == cp)
			return 1;
	return 0;
}

/* Closing quotes and brackets that may follow the final mark of a sentence. */
static int is_closer(uint32_t cp)
{
	return cp == 0x201D || cp == 0x2019 || cp == 0x300D || cp == 0x300F || cp == 0xFF09 ||
	       cp == ')' || cp == '"' || cp == 0x300B || cp == 0x3011;
}

/* U+FFFD stands where decoding met bytes that were not text (a lenient read): a gap. */
static int is_space(uint32_t cp)
{
	return cp == ' ' || cp == '\t' || cp == '\f' || cp == '\v' || cp == 0x3000 || cp == 0xA0 ||
	       cp == 0xFEFF || cp == 0xFFFD;
}

/* Chinese text for the purpose of turning ASCII punctuation full-width. */
static int is_cjk(uint32_t cp)
{
	return bb_is_hanzi(cp) || (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFF00 && cp <= 0xFFEF) ||
	       cp == 0x201C || cp == 0x201D || cp == 0x2018 || cp == 0x2019 || cp == 0x2026;
}

/* Full-width forms kept as they are: they are Chinese punctuation, not folded text. */
static int keep_fullwidth(uint32_t cp)
{
	return cp == 0xFF0C || cp == 0xFF1B || cp == 0xFF1A || cp == 0xFF1F || cp == 0xFF01 ||
	       cp == 0xFF08 || cp == 0xFF09 || cp == 0xFF5E;
}

/* ASCII marks that become full-width inside Chinese text. */
static uint32_t fullwidth_of(uint32_t cp)
{
	switch (cp) {
	case ',': return 0xFF0C;
	case ':': return 0xFF1A;
	case ';': return 0xFF1B;
	case '?': return 0xFF1F;
	case '!': return 0xFF01;
	default: return 0;
	}
}

struct line {
	size_t start, end; /* trimmed, in the original */
	size_t chars;
	uint32_t last, first;
};

/* Code point before offset i within [lo, i), skipping spaces; 0 if none. */
static uint32_t prev_cp(const char *s, size_t lo, size_t i)
{
	while (i > lo) {
		size_t j = i - 1;
		while (j > lo && ((unsigned char)s[j] & 0xC0) == 0x80)
			j--;
		uint32_t cp;
		bb_utf8_decode(s + j, i - j, &cp);
		if (!is_space(cp))
			return cp;
		i = j;
	}
	return 0;
}

static uint32_t next_cp(const char *s, size_t i, size_t hi)
{
	while (i < hi) {
		uint32_t cp;
		size_t l = bb_utf8_decode(s + i, hi - i, &cp);
		if (!l)
			return 0;
		if (!is_space(cp))
			return cp;
		i += l;
	}
	return 0;
}

static int is_digit_cp(uint32_t cp)
{
	return (cp >= '0' && cp <= '9') || (cp >= 0xFF10 && cp <= 0xFF19);
}

/* Is the character [i, j) between two digits of either width (１２．５)? */
static int between_digits(const char *s, size_t lo, size_t i, size_t j, size_t hi)
{
	uint32_t after = 0;
	if (j >= hi || !bb_utf8_decode(s + j, hi - j, &after))
		return 0;
	if (i <= lo)
		return 0;
	size_t k = i - 1;
	while (k > lo && ((unsigned char)s[k] & 0xC0) == 0x80)
		k--;
	uint32_t before = 0;
	if (!bb_utf8_decode(s + k, i - k, &before))
		return 0;
	return is_digit_cp(before) && is_digit_cp(after);
}

/* Does block text t end with the title of a byline (本报记者, 通讯员): the names follow? */
static int ends_with_title(const struct bb_text *t)
{
	static const char *const titles[] = {"记者", "通讯员", "作者", "文/", "文／"};
	for (size_t k = 0; k < sizeof titles / sizeof titles[0]; k++) {
		size_t l = strlen(titles[k]);
		if (t->len >= l && memcmp(t->s + t->len - l, titles[k], l) == 0)
			return 1;
	}
	return 0;
}

/* Appends the folded text of original[start, end) to block text t; in a byline the spaces
 * between names become pauses (记者 王小明 李华 记者 王小明，李华). */
static int fold_into(struct bb_text *t, const char *s, size_t start, size_t end, int byline)
{
	int rc = BB_OK;
	for (size_t i = start; i < end && rc == BB_OK;) {
		uint32_t cp;
		size_t l = bb_utf8_decode(s + i, end - i, &cp);
		if (!l)
			l = 1;
		struct bb_span from = {i, i + l};
		uint32_t out = cp;
		if (cp == 0xFF0E && !between_digits(s, start, i, i + l, end))
			out = 0x3002; /* 5%．下一句: a full stop, not a decimal point */
		else if (cp >= 0xFF01 && cp <= 0xFF5E && !keep_fullwidth(cp))
			out = cp - 0xFEE0; /* full-width ASCII forms: digits, letters, %, +, ... */
		else if (fullwidth_of(cp)) {
			uint32_t before = prev_cp(s, start, i), after = next_cp(s, i + l, end);
			int digits = before >= '0' && before <= '9' && after >= '0' && after <= '9';
			if (!digits && (is_cjk(before) || is_cjk(after) || !after))
				out = fullwidth_of(cp);
		}
		if (is_space(cp)) {
			/* one ASCII space, none right after Chinese punctuation */
			uint32_t before = t->len ? (uint32_t)(unsigned char)t->s[t->len - 1] : 0;
			if (!t->len || before == ' ')
				out = 0;
			else {
				uint32_t pc = prev_cp(t->s, 0, t->len);
				out = (pc >= 0x3000 && pc <= 0x303F) || (pc >= 0xFF00 && pc <= 0xFF65) ? 0 : ' ';
				if (out && byline && bb_is_hanzi(pc) && bb_is_hanzi(next_cp(s, i + l, end)) &&
				    !ends_with_title(t))
					out = 0xFF0C;
			}
		}
		if (out) {
			char buf[4];
			rc = bb_text_add(t, buf, bb_utf8_encode(out, buf), from);
		}
		i += l;
	}
	while (rc == BB_OK && t->len && t->s[t->len - 1] == ' ')
		t->s[--t->len] = '\0';
	return rc;
}

static int starts_with(const char *s, size_t n, const char *prefix)
{
	size_t p = strlen(prefix);
	return n >= p && memcmp(s, prefix, p) == 0;
}

/* Does line [p, p + n) hold a sentence or clause mark (，、：；。！？) anywhere? */
static int has_marks(const char *p, size_t n)
{
	static const char *const marks[] = {"，", "、", "：", "；", "。", "！", "？", ",", ";"};
	for (size_t k = 0; k < sizeof marks / sizeof marks[0]; k++)
		if (memmem(p, n, marks[k], strlen(marks[k])))
			return 1;
	return 0;
}

/* more: another line follows. The first line is the title, unless it is a whole paragraph
 * (a sentence over 30 characters, or over 60): an article without a headline. */
static enum bb_kind classify(const char *s, const struct line *ln, int first, int more)
{
	const char *p = s + ln->start;
	size_t n = ln->end - ln->start;
	if (first && ln->chars <= 2 * SHORT_LINE_CHARS &&
	    !(ln->chars > SHORT_LINE_CHARS && ln->last == 0x3002))
		return BB_TITLE;
	if (ln->chars <= 2 * SHORT_LINE_CHARS && is_caption_end(p, n))
		return BB_CAPTION;
	for (size_t i = 0; ln->chars <= 2 * SHORT_LINE_CHARS && i < sizeof desk_openers / sizeof desk_openers[0]; i++)
		if (starts_with(p, n, desk_openers[i]))
			return BB_CAPTION;
	/* a long heading: no mark at all in it, and a paragraph after it */
	if (ln->chars > SHORT_LINE_CHARS && ln->chars <= 2 * SHORT_LINE_CHARS && more &&
	    !is_final_mark(ln->last) && !is_closer(ln->last) && !has_marks(p, n))
		return BB_HEADING;
	if (ln->chars <= SHORT_LINE_CHARS && !is_final_mark(ln->last)) {
		for (size_t i = 0; i < sizeof byline_openers / sizeof byline_openers[0]; i++)
			if (starts_with(p, n, byline_openers[i]))
				return BB_BYLINE;
		if (is_caption_end(p, n))
			return BB_CAPTION;
		if (!is_closer(ln->last))
			return BB_HEADING;
	}
	return BB_BODY;
}

static struct line measure(const char *s, size_t start, size_t end)
{
	struct line ln = {start, end, 0, 0, 0};
	uint32_t cp;
	size_t l;
	while (ln.start < ln.end && (l = bb_utf8_decode(s + ln.start, ln.end - ln.start, &cp)) &&
	       is_space(cp))
		ln.start += l;
	size_t last = ln.start;
	for (size_t i = ln.start; i < ln.end; i += l ? l : 1) {
		l = bb_utf8_decode(s + i, ln.end - i, &cp);
		if (!is_space(cp))
			last = i + (l ? l : 1);
	}
	ln.end = last;
	for (size_t i = ln.start; i < ln.end; i += l ? l : 1) {
		l = bb_utf8_decode(s + i, ln.end - i, &cp);
		if (!ln.chars)
			ln.first = cp;
		ln.chars++;
		ln.last = cp;
	}
	return ln;
}

/* A long paragraph that stops without closing its sentence was cut by a page break. */
static int is_cut(const struct line *ln, enum bb_kind kind)
{
	return kind == BB_BODY && !is_final_mark(ln->last) && !is_closer(ln->last);
}

void bb_article_free(struct bb_article *art)
{
	if (!art)
		return;
	free(art->blocks);
	free(art->source);
	bb_text_free(&art->original);
	memset(art, 0, sizeof *art);
}

static int add_block(struct bb_article *art, size_t *cap, enum bb_kind kind)
{
	if (art->nblocks == *cap) {
		size_t ncap = *cap ? *cap * 2 : 32;
		struct bb_block *b = realloc(art->blocks, ncap * sizeof *b);
		if (!b)
			return BB_ENOMEM;
		art->blocks = b;
		*cap = ncap;
	}
	struct bb_block *b = &art->blocks[art->nblocks++];
	memset(b, 0, sizeof *b);
	b->kind = kind;
	b->paragraph = art->nblocks - 1;
	return BB_OK;
}

int bb_block_text(const struct bb_article *art, size_t b, struct bb_text *out)
{
	const char *s = art->original.s ? art->original.s : "";
	const struct bb_block *blk = &art->blocks[b];
	int rc = BB_OK;
	/* the lines of a joined paragraph, each trimmed as bb_article_parse trimmed it */
	for (size_t pos = blk->start; pos < blk->end && rc == BB_OK;) {
		const char *nl = memchr(s + pos, '\n', blk->end - pos);
		size_t end = nl ? (size_t)(nl - s) : blk->end;
		struct line ln = measure(s, pos, end);
		pos = end + 1;
		if (ln.chars)
			rc = fold_into(out, s, ln.start, ln.end, blk->kind == BB_BYLINE);
	}
	return rc;
}

int bb_article_parse(struct bb_article *art, struct bb_text *original, const char *source,
		     struct bb_error *err)
{
	memset(art, 0, sizeof *art);
	art->original = *original;
	memset(original, 0, sizeof *original);
	art->source = strdup(source ? source : "-");
	if (!art->source)
		return bb_fail(err, BB_ENOMEM, "out of memory");
	strip_markup(&art->original);
	const char *s = art->original.s ? art->original.s : "";
	size_t n = art->original.len, cap = 0;
	int rc = BB_OK, joining = 0;
	for (size_t pos = 0; pos < n && rc == BB_OK;) {
		const char *nl = memchr(s + pos, '\n', n - pos);
		size_t end = nl ? (size_t)(nl - s) : n;
		struct line ln = measure(s, pos, end);
		pos = end + 1;
		if (!ln.chars)
			continue;
		enum bb_kind kind = joining ? BB_BODY :
				    classify(s, &ln, art->nblocks == 0, next_cp(s, pos < n ? pos : n, n) != 0);
		/* ……表示。（完）: the end mark goes silent, apart from the sentence */
		size_t tail = ln.end;
		for (size_t k = 0; kind == BB_BODY && k < sizeof end_marks / sizeof end_marks[0]; k++) {
			size_t l = strlen(end_marks[k]);
			if (ln.end - ln.start > l && memcmp(s + ln.end - l, end_marks[k], l) == 0)
				tail = ln.end - l;
		}
		if (!joining && (rc = add_block(art, &cap, kind)) == BB_OK)
			art->blocks[art->nblocks - 1].start = ln.start;
		if (rc == BB_OK)
			art->blocks[art->nblocks - 1].end = tail;
		if (rc == BB_OK && tail < ln.end && (rc = add_block(art, &cap, BB_CAPTION)) == BB_OK) {
			art->blocks[art->nblocks - 1].start = tail;
			art->blocks[art->nblocks - 1].end = ln.end;
		}
		joining = is_cut(&ln, kind) && ln.chars > SHORT_LINE_CHARS && tail == ln.end;
	}
	if (rc != BB_OK) {
		bb_article_free(art);
		return bb_fail(err, rc, "out of memory");
	}
	if (art->nblocks == 0) {
		bb_article_free(art);
		return bb_fail(err, BB_EDATA, "empty article: nothing to read");
	}
	return BB_OK;
}

/* "16 MB", "512 KB" or "1000 bytes": a limit as it was most likely given. */
static void format_size(size_t n, char *out, size_t size)
{
	static const char *const units[] = {"GB", "MB", "KB"};
	for (int i = 0; i < 3; i++) {
		size_t unit = (size_t)1 << (10 * (3 - i));
		if (n >= unit && n % unit == 0) {
			snprintf(out, size, "%zu %s", n / unit, units[i]);
			return;
		}
	}
	snprintf(out, size, "%zu bytes", n);
}

int bb_fail_too_large(struct bb_error *err, uint64_t size, size_t limit)
{
	char lim[32];
	format_size(limit, lim, sizeof lim);
	if (size)
		return bb_fail(err, BB_EDATA,
			       "file too large (%llu bytes, limit %s; see --max-size)",
			       (unsigned long long)size, lim);
	return bb_fail(err, BB_EDATA, "file too large (over the limit, %s; see --max-size)", lim);
}

int bb_read_warning(const struct bb_read_info *info, char *out, size_t size)
{
	if (info->garbled_line) {
		snprintf(out, size, "text decodes (as %s) into rare characters on line %zu: wrong "
			 "encoding? (see --encoding)", info->encoding ? info->encoding : "?",
			 info->garbled_line);
		return 1;
	}
	if (!info->invalid)
		return 0;
	snprintf(out, size, "%zu invalid UTF-8 sequence%s not read (first at byte %zu)",
		 info->invalid, info->invalid == 1 ? "" : "s", info->first_invalid);
	return 1;
}

int bb_parse_size(const char *s, size_t *bytes)
{
	char *end;
	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	unsigned long long n = strtoull(s, &end, 10);
	unsigned shift = 0;
	switch (*end) {
	case 'k': case 'K': shift = 10, end++; break;
	case 'm': case 'M': shift = 20, end++; break;
	case 'g': case 'G': shift = 30, end++; break;
	}
	if (shift && (strcmp(end, "B") == 0 || strcmp(end, "iB") == 0))
		end += strlen(end);
	if (*end || errno || n == 0 || n > (SIZE_MAX >> shift))
		return -1;
	*bytes = (size_t)n << shift;
	return 0;
}

int bb_read_fd(int fd, size_t max, char **buf, size_t *len, struct bb_error *err)
{
	size_t cap = 0;
	*buf = NULL;
	*len = 0;
	if (!max)
		max = BB_MAX_ARTICLE_BYTES;
	/* a directory opens fine and fails only when read; a large file is refused unread */
	struct stat st;
	int known = fstat(fd, &st) == 0;
	if (known && S_ISDIR(st.st_mode))
		return bb_fail(err, BB_ENOINPUT, "is a directory");
	if (known && S_ISREG(st.st_mode) && (uint64_t)st.st_size > max)
		return bb_fail_too_large(err, (uint64_t)st.st_size, max);
	for (;;) {
		if (*len == cap) {
			size_t ncap = cap ? cap * 2 : 65536;
			char *nb = realloc(*buf, ncap);
			if (!nb)
				return bb_fail(err, BB_ENOMEM, "out of memory");
			*buf = nb;
			cap = ncap;
		}
		ssize_t got = read(fd, *buf + *len, cap - *len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return bb_fail(err, BB_EIO, "read error: %s", strerror(errno));
		if (got == 0)
			return *len ? BB_OK : bb_fail(err, BB_EDATA, "empty file");
		if ((*len += (size_t)got) > max)
			return bb_fail_too_large(err, 0, max); /* a pipe, or a file that grew */
	}
}

int bb_article_from_bytes(struct bb_article *art, const char *bytes, size_t n, const char *source,
			  const struct bb_read_opts *opts, struct bb_read_info *info,
			  struct bb_error *err)
{
	memset(art, 0, sizeof *art);
	struct bb_text text = {0};
	int rc = bb_decode(bytes, n, opts, &text, info, err);
	if (rc == BB_OK)
		rc = bb_article_parse(art, &text, source, err);
	return rc;
}

int bb_article_read(struct bb_article *art, const char *path, const struct bb_read_opts *opts,
		    struct bb_read_info *info, struct bb_error *err)
{
	memset(art, 0, sizeof *art);
	int is_stdin = strcmp(path, "-") == 0;
	int fd = is_stdin ? 0 : bb_open_regular(path, err);
	if (fd < 0)
		return err ? err->code : BB_ENOINPUT;
	char *buf = NULL;
	size_t len = 0;
	int rc = bb_read_fd(fd, opts ? opts->max_bytes : 0, &buf, &len, err);
	if (!is_stdin)
		close(fd);
	if (rc == BB_OK)
		rc = bb_article_from_bytes(art, buf, len, path, opts, info, err);
	free(buf);
	return rc;
}
