// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit's runner in miniature: the suites a revision's files registered (lockstep_shim/kunit.h),
 * each case run in a fresh task so the shim's checks (WARN, locks, leaks) apply to it too.
 */
#include "kernel_shim/host/host.h"
#include "kernel_shim/src/state.h"
#include "lockstep_shim/kunit.h"

static struct kunit_suite *suites;

void lockstep_kunit_register(struct kunit_suite *suite)
{
	struct kunit_suite **tail = &suites;

	while (*tail)
		tail = &(*tail)->lockstep_next;
	suite->lockstep_next = NULL;
	*tail = suite;
}

static char *report;
static size_t report_cap, report_len;

static void report_append(const char *line)
{
	size_t len = strlen(line);

	if (!report || report_len + 1 >= report_cap)
		return;
	if (len > report_cap - report_len - 1)
		len = report_cap - report_len - 1;
	memcpy(report + report_len, line, len);
	report_len += len;
	report[report_len] = '\0';
}

void lockstep_kunit_fail(struct kunit *test, const char *file, int line, const char *what)
{
	char buf[512];

	test->failures++;
	lockstep_host_snprintf(buf, sizeof(buf), "not ok %s.%s: %s at %s:%d\n", test->suite,
			       test->test, what, file, line);
	report_append(buf);
}

struct lockstep_kunit_summary lockstep_shim_kunit_run(char *out, size_t cap)
{
	struct lockstep_kunit_summary summary = { 0 };
	struct kunit_suite *suite;

	report = out;
	report_cap = cap;
	report_len = 0;
	if (out && cap)
		out[0] = '\0';
	for (suite = suites; suite; suite = suite->lockstep_next) {
		struct kunit_case *c;

		summary.suites++;
		for (c = suite->test_cases; c->run_case; c++) {
			struct kunit test = { .suite = suite->name, .test = c->name };
			struct lockstep_shim_finding findings[4];
			size_t n;

			lockstep_shim_task_begin(true, false);
			c->run_case(&test);
			n = lockstep_shim_task_end(findings, 4);
			if (n) {
				char buf[512];

				test.failures++;
				lockstep_host_snprintf(buf, sizeof(buf), "not ok %s.%s: %s: %s\n",
						       suite->name, c->name, findings[0].kind,
						       findings[0].detail);
				report_append(buf);
			}
			summary.cases++;
			if (test.failures)
				summary.failed_cases++;
		}
	}
	report = NULL;
	return summary;
}
