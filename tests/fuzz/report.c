/*
 * Fuzz target: one report renderer (FUZZ_REPORT, set by the build: md, html, tex or csv;
 * one binary each). The input is read as a results file; what loads is rendered into
 * memory as report_write renders it, and the output is checked for what the renderer's
 * escaping promises (issue 21, report injection): no string of the file may add markup,
 * a line, a table column or a CSV field.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/report.h"
#include "harness/report_model.h"
#include "tests/fuzz/fuzz.h"

#ifndef FUZZ_REPORT
#error "FUZZ_REPORT names the renderer: md, html, tex or csv"
#endif

/* Where the model looks for plots: nowhere (the embedded PNGs are vmbench's own). */
#define NO_DIR "/nonexistent/vmbench-fuzz"

/* Whether s[i] follows an odd run of backslashes. */
static bool escaped(const char *s, size_t i)
{
	size_t n = 0;

	while (n < i && s[i - 1 - n] == '\\')
		n++;
	return n % 2 == 1;
}

/* Markdown: no raw HTML ('<' at all), no control character but the line ends, and every
 * row of a pipe table with as many unescaped pipes as its header. */
static void check_md(const char *s, size_t len)
{
	size_t pipes = 0, line = 1;
	bool in_table = false;

	for (size_t i = 0; i < len; line++) {
		const char *nl = memchr(s + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - s) : len, n = 0;
		for (size_t k = i; k < end; k++) {
			unsigned char c = (unsigned char)s[k];
			if (c == '<' || c < ' ' || c == 0x7f)
				fuzz_fail("md line %zu: byte 0x%02x", line, c);
			n += c == '|' && !escaped(s, k);
		}
		if (s[i] == '|' && !in_table)
			pipes = n;
		else if (s[i] == '|' && n != pipes)
			fuzz_fail("md line %zu: %zu pipes in a table of %zu", line, n, pipes);
		in_table = end > i && s[i] == '|';
		i = end + 1;
	}
}

/* LaTeX: printable ASCII and line ends only, so that nothing ends a comment early. */
static void check_tex(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c != '\n' && (c < ' ' || c > '~'))
			fuzz_fail("tex byte %zu: 0x%02x", i, c);
	}
}

/* A value a spreadsheet would run (starts with =, +, -, @, tab or CR) that is no number. */
static bool csv_formula(const char *v, size_t n)
{
	char buf[128], *end;

	if (!n || !strchr("=+-@\t\r", v[0]))
		return false;
	if (n >= sizeof(buf))
		return true;
	memcpy(buf, v, n);
	buf[n] = '\0';
	strtod(buf, &end);
	return *end != '\0';
}

/* CSV (RFC 4180): every record as many fields as the header, none a formula. */
static void check_csv(const char *s, size_t len)
{
	size_t i = 0, rec = 0, fields = 0, want = 0;
	char *val = malloc(len + 1);

	if (!val)
		return;
	while (i < len) {
		size_t n = 0;
		if (s[i] == '"') {
			for (i++;; i++) {
				if (i >= len)
					fuzz_fail("csv record %zu: unterminated quote", rec);
				if (s[i] == '"' && i + 1 < len && s[i + 1] == '"')
					val[n++] = s[i++];
				else if (s[i] == '"')
					break;
				else
					val[n++] = s[i];
			}
			i++;
		} else {
			for (; i < len && s[i] != ',' && s[i] != '\r'; i++) {
				if (s[i] == '"' || s[i] == '\n')
					fuzz_fail("csv record %zu: bare quote or line break", rec);
				val[n++] = s[i];
			}
		}
		if (csv_formula(val, n))
			fuzz_fail("csv record %zu field %zu: a formula: %.*s", rec, fields, (int)n,
				  val);
		fields++;
		if (i < len && s[i] == ',') {
			i++;
			continue;
		}
		if (i + 1 >= len || s[i] != '\r' || s[i + 1] != '\n')
			fuzz_fail("csv record %zu: not ended by CRLF", rec);
		i += 2;
		if (rec == 0)
			want = fields;
		else if (fields != want)
			fuzz_fail("csv record %zu: %zu fields, the header %zu", rec, fields, want);
		rec++;
		fields = 0;
	}
	free(val);
}

static bool one_of(const char *s, size_t n, const char *const *set)
{
	for (; *set; set++)
		if (strlen(*set) == n && !strncmp(s, *set, n))
			return true;
	return false;
}

/* HTML: every tag and attribute one the renderer writes, attribute values quoted without
 * markup, text without '>', '"' or an '&' that starts no entity; one script. */
static void check_html(const char *s, size_t len)
{
	static const char *const tags[] = {
		"!DOCTYPE", "html",  "head",	   "meta", "title", "style", "script",
		"body",	    "h1",    "h2",	   "h3",   "dl",    "dt",    "dd",
		"table",    "thead", "tbody",	   "tr",   "th",    "td",    "p",
		"figure",   "img",   "figcaption", NULL,
	};
	static const char *const attrs[] = { "lang",	  "charset", "id",  "class",
					     "data-plot", "alt",     "src", NULL };
	static const char *const entities[] = { "&amp;", "&lt;", "&gt;", "&quot;", NULL };
	size_t scripts = 0;

	for (size_t i = 0; i < len;) {
		if (s[i] == '&') {
			size_t k;
			for (k = 0; entities[k]; k++)
				if (!strncmp(s + i, entities[k], strlen(entities[k])))
					break;
			if (!entities[k])
				fuzz_fail("html byte %zu: '&' starts no entity", i);
			i += strlen(entities[k]);
			continue;
		}
		if (s[i] == '>' || s[i] == '"')
			fuzz_fail("html byte %zu: bare '%c'", i, s[i]);
		if (s[i] != '<') {
			i++;
			continue;
		}
		size_t at = i++;
		if (i < len && s[i] == '/')
			i++;
		size_t name = i;
		while (i < len && (s[i] == '!' || isalnum((unsigned char)s[i])))
			i++;
		if (!one_of(s + name, i - name, tags))
			fuzz_fail("html byte %zu: tag <%.*s>", at, (int)(i - name), s + name);
		bool raw = s[at + 1] != '/' &&
			   (one_of(s + name, i - name,
				   (const char *const[]){ "script", "style", NULL }));
		scripts += s[at + 1] != '/' && i - name == 6 && !strncmp(s + name, "script", 6);
		for (;;) {
			while (i < len && s[i] == ' ')
				i++;
			if (i < len && s[i] == '>')
				break;
			if (i < len && !strncmp(s + i, "html", 4) && s[at + 1] == '!') {
				i += 4; /* <!DOCTYPE html> */
				continue;
			}
			size_t a = i;
			while (i < len && (s[i] == '-' || (s[i] >= 'a' && s[i] <= 'z')))
				i++;
			if (!one_of(s + a, i - a, attrs) || i + 1 >= len || s[i] != '=' ||
			    s[i + 1] != '"')
				fuzz_fail("html byte %zu: attribute '%.*s'", a, (int)(i - a),
					  s + a);
			const char *q = memchr(s + i + 2, '"', len - i - 2);
			if (!q)
				fuzz_fail("html byte %zu: unterminated attribute", a);
			for (const char *p = s + i + 2; p < q; p++)
				if (*p == '<' || *p == '>')
					fuzz_fail("html byte %zu: markup in an attribute", a);
			i = (size_t)(q - s) + 1;
		}
		i++;
		if (raw) {
			/* The page's own CSS and script: not text of the results file. */
			const char *close = memmem(s + i, len - i, "</", 2);
			if (!close)
				fuzz_fail("html byte %zu: <%.*s> not closed", at, 6, s + name);
			i = (size_t)(close - s);
		}
	}
	if (scripts != 1)
		fuzz_fail("html: %zu scripts", scripts);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct report_renderer *rr;
	struct report_model m;
	struct results r;

	fuzz_init();
	for (size_t k = 0; !rr && k < report_renderer_count; k++)
		if (!strcmp(report_renderers[k]->name, FUZZ_REPORT))
			rr = report_renderers[k];
	if (!rr)
		fuzz_fail("no renderer %s", FUZZ_REPORT);
	if (fuzz_load_results(data, size, &r) < 0)
		return 0;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = NULL;
	int ret = report_model_build(&m, &r, NO_DIR);
	if (ret == 0 && (f = open_memstream(&buf, &len)))
		ret = rr->render(f, &m);
	if (f && fclose(f) != 0)
		ret = -1;
	if (ret == 0 && buf) {
		if (memchr(buf, '\0', len))
			fuzz_fail("%s: a NUL byte in the report", rr->name);
		switch (rr->bit) {
		case REPORT_MD:
			check_md(buf, len);
			break;
		case REPORT_TEX:
			check_tex(buf, len);
			break;
		case REPORT_CSV:
			check_csv(buf, len);
			break;
		case REPORT_HTML:
			check_html(buf, len);
			break;
		}
	}
	free(buf);
	report_model_free(&m);
	results_free(&r);
	return 0;
}
