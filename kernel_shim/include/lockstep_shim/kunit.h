/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kunit.h: KUnit in miniature, so a Landlock file's own KUnit suites (fs.c's, and any a tree
 * adds) run in userspace. Suites register themselves from a constructor into the revision's shim
 * (each isolated revision has its own list); the adapter runs them on request. Expectations that
 * fail are counted and described with file:line and the expression, as KUnit reports them.
 */
#ifndef LOCKSTEP_SHIM_KUNIT_H
#define LOCKSTEP_SHIM_KUNIT_H

#include "lockstep_shim/kernel.h"

struct kunit {
	const char *suite;
	const char *test;
	int failures;
};

struct kunit_case {
	void (*run_case)(struct kunit *test);
	const char *name;
};

struct kunit_suite {
	const char *name;
	struct kunit_case *test_cases;
	struct kunit_suite *lockstep_next;
};

#define KUNIT_CASE(test_name) { .run_case = test_name, .name = #test_name }

void lockstep_kunit_register(struct kunit_suite *suite);
void lockstep_kunit_fail(struct kunit *test, const char *file, int line, const char *what);

#define __LOCKSTEP_KUNIT_REGISTER(suite, counter)                                        \
	static void __attribute__((constructor)) lockstep_kunit_register_##counter(void) \
	{                                                                                \
		lockstep_kunit_register(&(suite));                                       \
	}
#define __LOCKSTEP_KUNIT_REGISTER2(suite, counter) __LOCKSTEP_KUNIT_REGISTER(suite, counter)
#define kunit_test_suite(suite) __LOCKSTEP_KUNIT_REGISTER2(suite, __COUNTER__)
/* An init-section suite runs at boot in the kernel; here with the others, each case in a task. */
#define kunit_test_init_section_suite(suite) kunit_test_suite(suite)
#define kunit_test_suites(...) static_assert(0, "kunit_test_suites: one suite per call here")

#define KUNIT_EXPECT_TRUE(test, cond)                                                  \
	do {                                                                           \
		if (!(cond))                                                           \
			lockstep_kunit_fail((test), __FILE__, __LINE__,                \
					    "expected " #cond " to be true");          \
	} while (0)
#define KUNIT_EXPECT_FALSE(test, cond)                                                 \
	do {                                                                           \
		if (cond)                                                              \
			lockstep_kunit_fail((test), __FILE__, __LINE__,                \
					    "expected " #cond " to be false");         \
	} while (0)
#define KUNIT_EXPECT_EQ(test, left, right)                                             \
	do {                                                                           \
		if ((left) != (right))                                                 \
			lockstep_kunit_fail((test), __FILE__, __LINE__,                \
					    "expected " #left " == " #right);          \
	} while (0)
#define KUNIT_EXPECT_NE(test, left, right)                                             \
	do {                                                                           \
		if ((left) == (right))                                                 \
			lockstep_kunit_fail((test), __FILE__, __LINE__,                \
					    "expected " #left " != " #right);          \
	} while (0)
/* The message only adds to the failure report; the comparison is KUNIT_EXPECT_EQ's. */
#define KUNIT_EXPECT_EQ_MSG(test, left, right, fmt, ...) KUNIT_EXPECT_EQ(test, left, right)
#define KUNIT_ASSERT_TRUE KUNIT_EXPECT_TRUE
#define KUNIT_ASSERT_FALSE KUNIT_EXPECT_FALSE
#define KUNIT_ASSERT_EQ KUNIT_EXPECT_EQ

#endif /* LOCKSTEP_SHIM_KUNIT_H */
