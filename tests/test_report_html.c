/* The HTML report is well-formed XML (parsed with libxml2), has one chart per
 * workload, escapes every text from the run, and marks unsupported results.
 * ALLOCLAB_HTML_SAMPLE=path also writes the realistic sample page there (to
 * look at it). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <stdlib.h>
#include <string.h>

#include "reports.h"
#include "synth_run.h"
#include <stdio.h>

/* Render the run into memory. */
static char *render(const al_bench_run *run, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    assert_non_null(f);
    assert_int_equal(al_report_html(f, run), 0);
    fclose(f);
    return buf;
}

static xmlDocPtr parse(const char *buf, size_t len)
{
    xmlDocPtr doc = xmlReadMemory(buf, (int)len, "report.html", "UTF-8", XML_PARSE_NONET);
    if (!doc) fprintf(stdout, "not well-formed XML:\n%s\n", buf);
    assert_non_null(doc);
    return doc;
}

static int count(xmlDocPtr doc, const char *xpath)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    xmlXPathRegisterNs(ctx, BAD_CAST "h", BAD_CAST "http://www.w3.org/1999/xhtml");
    xmlXPathRegisterNs(ctx, BAD_CAST "s", BAD_CAST "http://www.w3.org/2000/svg");
    xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST xpath, ctx);
    assert_non_null(o);
    int n = o->nodesetval ? o->nodesetval->nodeNr : 0;
    xmlXPathFreeObject(o);
    xmlXPathFreeContext(ctx);
    return n;
}

static void test_well_formed_one_svg_per_workload(void **state)
{
    (void)state;
    al_bench_run run;
    synth_realistic(&run, "base", 1);
    size_t len;
    char *html = render(&run, &len);
    xmlDocPtr doc = parse(html, len);
    /* per workload a time chart and beside it a peak RSS chart */
    assert_int_equal(count(doc, "//s:svg"), 6);
    assert_int_equal(count(doc, "//h:section/h:div[@class='charts']/s:svg[@class='chart time']"), 3);
    assert_int_equal(count(doc, "//h:section/h:div[@class='charts']/s:svg[@class='chart rss']"
                                "[preceding-sibling::s:svg[@class='chart time']]"), 3);
    assert_int_equal(count(doc, "//h:script"), 0);
    /* no external assets */
    assert_int_equal(count(doc, "//@href[not(starts-with(., '#'))] | //@src"), 0);
    /* one titled bar per ok result: 15 + 14 + 11 */
    assert_int_equal(count(doc, "//s:svg[@class='chart time']//s:g[not(@class='gap')][s:title]/s:rect"), 40);
    assert_int_equal(count(doc, "//s:svg[@class='chart rss']//s:g[not(@class='gap')][s:title]/s:rect"), 40);
    /* tooltips carry the peak RSS and the page faults */
    assert_int_equal(count(doc, "//s:svg[@class='chart time']//s:title[contains(., 'peak RSS 4.0')]"
                                "[contains(., 'minor page faults')]"), 40);
    /* the unsupported and the failed results are hatched gaps */
    assert_int_equal(count(doc, "//s:svg[@class='chart time']//s:g[@class='gap']"), 2);
    /* lower-is-better and the scale on every chart; large-blocks spans 196x: log */
    assert_int_equal(count(doc, "//s:text[contains(., 'lower is better')]"), 6);
    assert_int_equal(count(doc, "//s:svg[@class='chart time'][.//s:text[contains(., '(log scale)')]]"), 1);
    assert_int_equal(count(doc, "//s:svg[@class='chart time'][.//s:text[contains(., '(linear scale)')]]"), 2);
    assert_int_equal(count(doc, "//s:svg[@class='chart rss'][.//s:text[contains(., 'peak RSS of the process')]]"), 3);
    /* legend: one entry per allocator of the workload, the same colour across charts */
    assert_int_equal(count(doc, "//h:section[@id='w0']//s:svg[@class='chart time']/s:rect[@width='12']"), 5);
    assert_int_equal(count(doc, "//s:rect[@width='12'][following-sibling::s:text[1][.='mi']][@fill='#59a14f']"), 6);
    /* the answer first: the summary section opens the page, a headline and a ranking */
    assert_int_equal(count(doc, "//h:main/h:section[1][@id='summary']"), 1);
    assert_int_equal(count(doc, "//h:section[@id='summary']/h:p[@class='headline']"
                                "[contains(., 'faster than sys over 9 benchmarks')]"), 1);
    assert_int_equal(count(doc, "//h:section[@id='summary']/h:table[@class='ranking']/h:tbody/h:tr"), 5);
    /* the tables follow each chart, each cell with its memory, then the context */
    assert_int_equal(count(doc, "//h:section[starts-with(@id, 'w')]/h:table"), 3);
    assert_int_equal(count(doc, "//h:td/h:div[@class='mem'][contains(., ' MiB')][contains(., 'faults')]"), 40);
    assert_int_equal(count(doc, "//h:dd[.='testhost']"), 1);
    xmlFreeDoc(doc);
    free(html);
    al_bench_run_free(&run);
}

static void test_escapes_text(void **state)
{
    (void)state;
    al_bench_run run;
    synth_run_init(&run, "it's <new> & \"improved\"");
    synth_add(&run, "w<&>", "p'\"", "sys", AL_RUN_OK, 100, 0.02, 10, NULL, 1);
    synth_add(&run, "w<&>", "p'\"", "a<b>&c", AL_RUN_UNSUPPORTED, 0, 0, 0, "needs <16> & \"more\" 'room'", 2);
    snprintf(run.ctx.host, sizeof run.ctx.host, "host</dd><script>x</script>");
    size_t len;
    char *html = render(&run, &len);
    xmlDocPtr doc = parse(html, len);
    assert_int_equal(count(doc, "//h:script"), 0);
    assert_int_equal(count(doc, "//h:dd[.='host</dd><script>x</script>']"), 1);
    assert_int_equal(count(doc, "//h:h2[.='w<&>']"), 1);
    /* the reason is in the table, unbroken */
    assert_int_equal(count(doc, "//h:td/h:div[.=concat('needs <16> & \"more\" ', \"'room'\")]"), 1);
    assert_int_equal(count(doc, "//s:text[.='a<b>&c']"), 2); /* the legends of both charts */
    assert_non_null(strstr(html, "needs &lt;16&gt; &amp; &quot;more&quot; &#39;room&#39;"));
    xmlFreeDoc(doc);
    free(html);
    al_bench_run_free(&run);
}

static void test_empty_and_all_unsupported(void **state)
{
    (void)state;
    al_bench_run run;
    synth_run_init(&run, NULL);
    size_t len;
    char *html = render(&run, &len);
    xmlDocPtr doc = parse(html, len);
    assert_int_equal(count(doc, "//s:svg"), 0);
    xmlFreeDoc(doc);
    free(html);
    synth_add(&run, "w", "1", "bump", AL_RUN_UNSUPPORTED, 0, 0, 0, "too big", 1);
    html = render(&run, &len);
    doc = parse(html, len);
    assert_int_equal(count(doc, "//s:svg"), 1);
    assert_int_equal(count(doc, "//s:g[@class='gap']"), 1);
    xmlFreeDoc(doc);
    free(html);
    al_bench_run_free(&run);
}

/* Each section says what its workload does and names its parameter on the x
 * axis; cells use the shared CI format; "fastest" only for a clear winner,
 * "tied" otherwise; every summary table takes the same width. */
static void test_descriptions_axis_ties(void **state)
{
    (void)state;
    al_bench_run run;
    synth_run_init(&run, NULL);
    synth_add(&run, "glibc-simple", "64", "a", AL_RUN_OK, 100, 0.01, 10, NULL, 1);
    synth_add(&run, "glibc-simple", "64", "b", AL_RUN_OK, 101, 0.01, 10, NULL, 2);
    synth_add(&run, "glibc-simple", "256", "a", AL_RUN_OK, 100, 0.01, 10, NULL, 3);
    synth_add(&run, "glibc-simple", "256", "b", AL_RUN_OK, 300, 0.01, 10, NULL, 4);
    synth_add(&run, "no-such-workload", "x", "a", AL_RUN_OK, 100, 0.01, 10, NULL, 5);
    const double sums[4][3] = {{100, 98, 103}, {101, 99, 104}, {100, 99, 101}, {300, 297, 303}};
    for (size_t i = 0; i < 4; i++) synth_set_ci(&run.results[i], sums[i][0], sums[i][1], sums[i][2]);
    size_t len;
    char *html = render(&run, &len);
    xmlDocPtr doc = parse(html, len);
    /* the description under the heading, only where the workload is known */
    assert_int_equal(count(doc, "//h:section[@id='w0']/h:h2/following-sibling::*[1][self::h:p]"
                                "[starts-with(., '1600 chunks of <size> bytes')]"), 1);
    assert_int_equal(count(doc, "//h:section[@id='w1']/h:p"), 0);
    /* x axis: the placeholder of the description, else "parameter" */
    assert_int_equal(count(doc, "//h:section[@id='w0']//s:svg[@class='chart time']/s:text[@class='axis'][.='size']"), 1);
    assert_int_equal(count(doc, "//h:section[@id='w1']//s:svg[@class='chart time']/s:text[@class='axis'][.='parameter']"), 1);
    /* 64: overlapping CIs, a tie on both cells; 256: a clear winner */
    assert_int_equal(count(doc, "//h:section[@id='w0']//h:td[@class='best']"), 1);
    assert_int_equal(count(doc, "//h:section[@id='w0']//h:td[@class='best'][starts-with(., '100 \u00b1 1.00 ns')]"
                                "[contains(., 'fastest')]"), 1);
    assert_int_equal(count(doc, "//h:section[@id='w0']//h:td[@class='tied'][contains(., 'tied')]"), 2);
    assert_int_equal(count(doc, "//h:td[contains(., '100 \u00b1 3.00 ns')][not(contains(., 'fastest'))]"), 1);
    assert_int_equal(count(doc, "//h:td[contains(., '3.00\u00d7')]"), 1);
    /* every summary table spans the page: the same width in every section */
    assert_int_equal(count(doc, "//h:table[@class='summary']"), 2);
    assert_non_null(strstr(html, "font-size:13.5px;width:100%}"));
    xmlFreeDoc(doc);
    free(html);

    /* instructions mode: counts and cycles in the cells, the axis says so */
    snprintf(run.ctx.mode, sizeof run.ctx.mode, "instructions");
    for (size_t i = 0; i < run.nresults; i++) {
        run.results[i].instructions = 1e6 * (double)(i + 1);
        run.results[i].est_cycles = 1.5e6 * (double)(i + 1);
    }
    html = render(&run, &len);
    doc = parse(html, len);
    assert_int_equal(count(doc, "//h:td[starts-with(., '1.00M instr, 1.50M cyc')][contains(., 'fastest')]"), 1);
    assert_int_equal(count(doc, "//h:td[starts-with(., '2.00M instr, 3.00M cyc')][contains(., '2.00\u00d7')]"), 1);
    assert_int_equal(count(doc, "//s:text[@class='axis'][starts-with(., 'instructions per iteration')]"), 2);
    assert_int_equal(count(doc, "//h:th[.='est. cycles']"), 2);
    xmlFreeDoc(doc);
    free(html);
    al_bench_run_free(&run);
}

static void test_write_error(void **state)
{
    (void)state;
    al_bench_run run;
    synth_realistic(&run, NULL, 1);
    FILE *full = fopen("/dev/full", "w");
    if (full) {
        assert_int_equal(al_report_html(full, &run), -1);
        fclose(full);
    }
    al_bench_run_free(&run);
}

int main(void)
{
    const char *sample = getenv("ALLOCLAB_HTML_SAMPLE");
    if (sample) {
        al_bench_run run;
        synth_realistic(&run, "sample", 1);
        FILE *f = fopen(sample, "w");
        if (f) al_report_html(f, &run), fclose(f);
        al_bench_run_free(&run);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_well_formed_one_svg_per_workload),
        cmocka_unit_test(test_escapes_text),
        cmocka_unit_test(test_empty_and_all_unsupported),
        cmocka_unit_test(test_write_error),
        cmocka_unit_test(test_descriptions_axis_ties),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    xmlCleanupParser();
    return rc;
}
