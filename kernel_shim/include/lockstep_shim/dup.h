/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dup.h: kernel definitions the Landlock files rely on, restated faithfully (same meaning as in
 * the kernel, our own wording). Types, compiler attributes, bit and overflow helpers, errno
 * values, ERR_PTR, byte order. Nothing here is instrumented; see custom.h for what is.
 *
 * The kernel world includes no libc header but the compiler's own stddef/stdbool/stdint/stdarg.
 */
#ifndef LOCKSTEP_SHIM_DUP_H
#define LOCKSTEP_SHIM_DUP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- types (linux/types.h, uapi asm-generic/int-ll64.h) ---- */
typedef uint8_t __u8;
typedef uint16_t __u16;
typedef uint32_t __u32;
typedef unsigned long long __u64; /* as the kernel's, so %llu/%llx fit */
typedef int8_t __s8;
typedef int16_t __s16;
typedef int32_t __s32;
typedef long long __s64;
typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s8 s8;
typedef __s16 s16;
typedef __s32 s32;
typedef __s64 s64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u64 __be64;
typedef __u16 __le16;
typedef __u32 __le32;
typedef __u64 __le64;
typedef long ssize_t;
typedef long long loff_t;
typedef unsigned int gfp_t;
typedef unsigned int fmode_t;
typedef unsigned short umode_t;
typedef unsigned short sa_family_t;
typedef u64 kernel_cap_t;
typedef struct { int counter; } atomic_t;
typedef struct { long counter; } atomic_long_t;

/* ---- compiler attributes (linux/compiler*.h) ---- */
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#undef __always_inline /* glibc <sys/cdefs.h>, via <stdint.h>, has its own */
#define __always_inline inline __attribute__((__always_inline__))
#define noinline __attribute__((__noinline__))
#define __maybe_unused __attribute__((__unused__))
#define __always_unused __attribute__((__unused__))
#define __must_check __attribute__((__warn_unused_result__))
#define __packed __attribute__((__packed__))
#define __aligned(x) __attribute__((__aligned__(x)))
#define __printf(a, b) __attribute__((__format__(printf, a, b)))
#define __cold __attribute__((__cold__))
#define __weak __attribute__((__weak__))
#define __noreturn __attribute__((__noreturn__))
#define fallthrough __attribute__((__fallthrough__))
#define asmlinkage
#define notrace
#define __visible
/* Sparse annotations: meaningful only to the checker. */
#define __user
#define __kernel
#define __iomem
#define __rcu
#define __force
#define __bitwise
#define __percpu
#define __must_hold(x)
#define __acquires(x)
#define __releases(x)
#define __acquire(x) ((void)0)
#define __release(x) ((void)0)
#define __cond_lock(x, c) (c)
/* gcc 12 and clang 14 do not know counted_by; the kernel drops it on such compilers too. */
#define __counted_by(member)

#define __same_type(a, b) __builtin_types_compatible_p(__typeof__(a), __typeof__(b))
#define typeof_member(T, m) __typeof__(((T *)0)->m)
#define sizeof_field(TYPE, MEMBER) sizeof((((TYPE *)0)->MEMBER))
#define offsetofend(TYPE, MEMBER) (offsetof(TYPE, MEMBER) + sizeof_field(TYPE, MEMBER))

#define barrier() __asm__ __volatile__("" : : : "memory")
#define READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, val)                                 \
	do {                                               \
		*(volatile __typeof__(x) *)&(x) = (val);   \
	} while (0)

#define container_of(ptr, type, member)                                  \
	({                                                               \
		void *__lockstep_mptr = (void *)(ptr);                   \
		((type *)((char *)__lockstep_mptr - offsetof(type, member))); \
	})
#define container_of_const(ptr, type, member) container_of(ptr, type, member)

/* static_assert(expr) or static_assert(expr, msg), as the kernel allows. */
#define static_assert(expr, ...) __lockstep_static_assert(expr, ##__VA_ARGS__, #expr)
#define __lockstep_static_assert(expr, msg, ...) _Static_assert(expr, msg)

#define __LOCKSTEP_PASTE2(a, b) a##b
#define __LOCKSTEP_PASTE(a, b) __LOCKSTEP_PASTE2(a, b)

#define ARRAY_SIZE(arr) (sizeof(arr) / sizeof((arr)[0]))

/* ---- limits (linux/limits.h, vdso/limits.h) ---- */
#define U8_MAX ((u8)~0U)
#define S8_MAX ((s8)(U8_MAX >> 1))
#define U16_MAX ((u16)~0U)
#define S16_MAX ((s16)(U16_MAX >> 1))
#define U32_MAX ((u32)~0U)
#define S32_MAX ((s32)(U32_MAX >> 1))
#define U64_MAX ((u64)~0ULL)
#define S64_MAX ((s64)(U64_MAX >> 1))
#define INT_MIN (-INT_MAX - 1)
#ifndef INT_MAX
#define INT_MAX ((int)(~0U >> 1))
#endif
#ifndef UINT_MAX
#define UINT_MAX (~0U)
#endif
#ifndef LONG_MAX
#define LONG_MAX ((long)(~0UL >> 1))
#endif
#ifndef ULONG_MAX
#define ULONG_MAX (~0UL)
#endif
#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PATH_MAX 4096

/*
 * min()/max()/clamp(): each argument is evaluated exactly once, and mixing signedness is a build
 * error, as in the kernel: comparing a negative int with an unsigned value would silently
 * convert it. What may be compared with what:
 *  - two operands of the same signedness;
 *  - an unsigned type narrower than int, which C promotes to int, with a signed one;
 *  - a signed operand that is a non-negative compile-time constant (a literal 4), with anything.
 * __lockstep_sign_ok() gives an operand's possible uses as a bit set (1: may meet unsigned,
 * 2: may meet signed); two operands go together when their sets intersect. min_t()/max_t()
 * convert both to the named type first, which is how a caller says the mix is intended.
 */
#define __lockstep_is_signed(var) ((__typeof__(var))-1 < (__typeof__(var))1)
#define __lockstep_nonneg_const(e) __builtin_choose_expr(__builtin_constant_p(e), ((e) >= 0), 0)
/* @var: a copy of the operand (a bit-field has no typeof); @e: the operand as written. */
#define __lockstep_sign_ok(var, e)                                      \
	(__lockstep_is_signed(var) ? (2 | __lockstep_nonneg_const(e)) : \
				     (1 | (sizeof(var) < sizeof(int) ? 2 : 0)))
#define __lockstep_cmp_check(call, va, a, vb, b)                                            \
	_Static_assert(__lockstep_sign_ok(va, a) & __lockstep_sign_ok(vb, b),                \
		       call " signedness error: make both operands signed or both unsigned, " \
		       "or say which type to compare in with the _t() form")
#define __lockstep_pick(op, cmp, a, b, ua, ub)                            \
	({                                                                \
		__auto_type ua = (a);                                     \
		__auto_type ub = (b);                                     \
		__lockstep_cmp_check(#op "(" #a ", " #b ")", ua, a, ub, b); \
		ua cmp ub ? ua : ub;                                      \
	})
#define __lockstep_uniq(name) __LOCKSTEP_PASTE(__lockstep_##name, __COUNTER__)
#define min(a, b) __lockstep_pick(min, <, a, b, __lockstep_uniq(x), __lockstep_uniq(y))
#define max(a, b) __lockstep_pick(max, >, a, b, __lockstep_uniq(x), __lockstep_uniq(y))
#define __lockstep_pick_t(type, cmp, a, b, ua, ub) \
	({                                         \
		type ua = (a);                     \
		type ub = (b);                     \
		ua cmp ub ? ua : ub;               \
	})
#define min_t(type, a, b) __lockstep_pick_t(type, <, a, b, __lockstep_uniq(x), __lockstep_uniq(y))
#define max_t(type, a, b) __lockstep_pick_t(type, >, a, b, __lockstep_uniq(x), __lockstep_uniq(y))
/* clamp(val, lo, hi): @val limited to [lo, hi]; each bound is checked against @val's type. */
#define __lockstep_clamp(v, lo, hi, uv, ulo, uhi)                                       \
	({                                                                              \
		__auto_type uv = (v);                                                   \
		__auto_type ulo = (lo);                                                 \
		__auto_type uhi = (hi);                                                 \
		__lockstep_cmp_check("clamp(" #v ", " #lo ", " #hi ")", uv, v, ulo, lo); \
		__lockstep_cmp_check("clamp(" #v ", " #lo ", " #hi ")", uv, v, uhi, hi); \
		uv < ulo ? (__typeof__(uv))ulo : uv > uhi ? (__typeof__(uv))uhi : uv;   \
	})
#define clamp(v, lo, hi) \
	__lockstep_clamp(v, lo, hi, __lockstep_uniq(cv), __lockstep_uniq(clo), __lockstep_uniq(chi))
#define clamp_t(type, v, lo, hi) min_t(type, max_t(type, v, lo), hi)
/* umin()/umax(): both operands compared as unsigned long long, on purpose. */
#define umin(a, b) min_t(unsigned long long, (a) + 0u + 0ul + 0ull, (b) + 0u + 0ul + 0ull)
/* Constant-expression forms (usable in bit-field widths and array sizes). */
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define is_signed_type(type) (((type)(-1)) < (type)1)
#define __lockstep_type_half_max(T) ((T)1 << (8 * sizeof(T) - 1 - is_signed_type(T)))
#define type_max(T) ((T)((__lockstep_type_half_max(T) - 1) + __lockstep_type_half_max(T)))
#define type_min(T) ((T)((T)-type_max(T) - (T)1))
#define umax(a, b) max_t(unsigned long long, (a) + 0u + 0ul + 0ull, (b) + 0u + 0ul + 0ull)

/* ---- bits and bit operations (linux/bits.h, bitops.h, const_hweight.h) ---- */
#define BITS_PER_BYTE 8
#define BITS_PER_LONG 64
#define BITS_PER_TYPE(type) (sizeof(type) * BITS_PER_BYTE)
#define BIT(nr) (1UL << (nr))
#define BIT_ULL(nr) (1ULL << (nr))
#define GENMASK(h, l) (((~0UL) << (l)) & (~0UL >> (BITS_PER_LONG - 1 - (h))))
#define GENMASK_ULL(h, l) (((~0ULL) << (l)) & (~0ULL >> (63 - (h))))

/*
 * Population counts usable in constant expressions (bit-field widths, array sizes): gcc and clang
 * fold __builtin_popcountll() of a constant at compile time. Each width only counts the bits of
 * its own size, as the kernel's __const_hweightN() do.
 */
#define __const_hweight64(w) ((unsigned int)__builtin_popcountll((unsigned long long)(w)))
#define __const_hweight32(w) __const_hweight64((unsigned long long)(w) & 0xffffffffULL)
#define __const_hweight16(w) __const_hweight64((unsigned long long)(w) & 0xffffULL)
#define __const_hweight8(w) __const_hweight64((unsigned long long)(w) & 0xffULL)
#define HWEIGHT8(w) __const_hweight8(w)
#define HWEIGHT16(w) __const_hweight16(w)
#define HWEIGHT32(w) __const_hweight32(w)
#define HWEIGHT64(w) __const_hweight64(w)
#define HWEIGHT(w) HWEIGHT64((u64)(w))
#define hweight8(w) ((unsigned int)__builtin_popcount((u8)(w)))
#define hweight16(w) ((unsigned int)__builtin_popcount((u16)(w)))
#define hweight32(w) ((unsigned int)__builtin_popcount((u32)(w)))
#define hweight64(w) ((unsigned int)__builtin_popcountll((u64)(w)))
#define hweight_long(w) ((unsigned int)__builtin_popcountl((unsigned long)(w)))

/* The index of the first set bit at or after @start in the @size-bit bitmap @addr, or @size. */
static inline unsigned long find_next_bit(const unsigned long *addr, unsigned long size,
					  unsigned long start)
{
	while (start < size) {
		unsigned long word = addr[start / BITS_PER_LONG] >> (start % BITS_PER_LONG);

		if (word) {
			start += (unsigned long)__builtin_ctzl(word);
			return start < size ? start : size;
		}
		start = (start / BITS_PER_LONG + 1) * BITS_PER_LONG;
	}
	return size;
}
#define find_first_bit(addr, size) find_next_bit((addr), (size), 0)
static inline unsigned long find_next_zero_bit(const unsigned long *addr, unsigned long size,
					       unsigned long start)
{
	while (start < size) {
		unsigned long word = ~addr[start / BITS_PER_LONG] >> (start % BITS_PER_LONG);

		if (word) {
			start += (unsigned long)__builtin_ctzl(word);
			return start < size ? start : size;
		}
		start = (start / BITS_PER_LONG + 1) * BITS_PER_LONG;
	}
	return size;
}
#define for_each_clear_bit(bit, addr, size)                                      \
	for ((bit) = find_next_zero_bit((addr), (size), 0); (bit) < (size);       \
	     (bit) = find_next_zero_bit((addr), (size), (bit) + 1))
#define for_each_set_bit(bit, addr, size)                                        \
	for ((bit) = find_next_bit((addr), (size), 0); (bit) < (size);            \
	     (bit) = find_next_bit((addr), (size), (bit) + 1))

static inline bool test_bit(long nr, const volatile unsigned long *addr)
{
	return (addr[nr / BITS_PER_LONG] >> (nr % BITS_PER_LONG)) & 1UL;
}
static inline void set_bit(long nr, volatile unsigned long *addr)
{
	addr[nr / BITS_PER_LONG] |= 1UL << (nr % BITS_PER_LONG);
}
static inline void clear_bit(long nr, volatile unsigned long *addr)
{
	addr[nr / BITS_PER_LONG] &= ~(1UL << (nr % BITS_PER_LONG));
}

/* ---- overflow-checked sizes (linux/overflow.h): saturate to SIZE_MAX ---- */
#define check_add_overflow(a, b, d) __builtin_add_overflow(a, b, d)
#define check_sub_overflow(a, b, d) __builtin_sub_overflow(a, b, d)
#define check_mul_overflow(a, b, d) __builtin_mul_overflow(a, b, d)
static inline size_t size_mul(size_t a, size_t b)
{
	size_t r;

	return __builtin_mul_overflow(a, b, &r) ? SIZE_MAX : r;
}
static inline size_t size_add(size_t a, size_t b)
{
	size_t r;

	return __builtin_add_overflow(a, b, &r) ? SIZE_MAX : r;
}
#define array_size(a, b) size_mul(a, b)
#define flex_array_size(p, member, count) size_mul((count), sizeof(*(p)->member))
#define struct_size(p, member, count) \
	size_add(sizeof(*(p)), flex_array_size(p, member, count))
/* A constant count gives a constant expression (static_assert), as in linux/overflow.h. */
#define struct_size_t(type, member, count)                                                   \
	__builtin_choose_expr(__builtin_constant_p(count),                                   \
			      sizeof(type) + sizeof(((type *)NULL)->member[0]) * (count),    \
			      struct_size((type *)NULL, member, count))

/* ---- byte order, little-endian host (linux/byteorder) ---- */
#define __lockstep_swab16(x) ((__u16)__builtin_bswap16((__u16)(x)))
#define __lockstep_swab32(x) ((__u32)__builtin_bswap32((__u32)(x)))
#define __lockstep_swab64(x) ((__u64)__builtin_bswap64((__u64)(x)))
#define cpu_to_be16(x) ((__be16)__lockstep_swab16(x))
#define cpu_to_be32(x) ((__be32)__lockstep_swab32(x))
#define cpu_to_be64(x) ((__be64)__lockstep_swab64(x))
#define be16_to_cpu(x) ((__u16)__lockstep_swab16(x))
#define be32_to_cpu(x) ((__u32)__lockstep_swab32(x))
#define be64_to_cpu(x) ((__u64)__lockstep_swab64(x))
#define htons(x) cpu_to_be16(x)
#define ntohs(x) be16_to_cpu(x)
#define htonl(x) cpu_to_be32(x)
#define ntohl(x) be32_to_cpu(x)

/* ---- errno values (uapi asm-generic/errno-base.h, errno.h, linux/errno.h) ---- */
#define EPERM 1
#define ENOENT 2
#define ESRCH 3
#define EINTR 4
#define EIO 5
#define ENXIO 6
#define E2BIG 7
#define ENOEXEC 8
#define EBADF 9
#define ECHILD 10
#define EAGAIN 11
#define ENOMEM 12
#define EACCES 13
#define EFAULT 14
#define EBUSY 16
#define EEXIST 17
#define EXDEV 18
#define ENODEV 19
#define ENOTDIR 20
#define EISDIR 21
#define EINVAL 22
#define ENFILE 23
#define EMFILE 24
#define ENOTTY 25
#define ETXTBSY 26
#define EFBIG 27
#define ENOSPC 28
#define ESPIPE 29
#define EROFS 30
#define EMLINK 31
#define EPIPE 32
#define ERANGE 34
#define ENAMETOOLONG 36
#define ENOSYS 38
#define ENOTEMPTY 39
#define ELOOP 40
#define ENOMSG 42
#define EBADFD 77
#define ENOTSOCK 88
#define EDESTADDRREQ 89
#define EPROTOTYPE 91
#define ENOPROTOOPT 92
#define EPROTONOSUPPORT 93
#define ESOCKTNOSUPPORT 94
#define EOPNOTSUPP 95
#define EPFNOSUPPORT 96
#define EAFNOSUPPORT 97
#define EADDRINUSE 98
#define EADDRNOTAVAIL 99
#define ENETUNREACH 101
#define ECONNRESET 104
#define ENOBUFS 105
#define EISCONN 106
#define ENOTCONN 107
#define ECONNREFUSED 111
#define EALREADY 114
#define EINPROGRESS 115
#define EOVERFLOW 75
#define ERESTARTNOINTR 513
#define ENOTSUPP 524

/* ---- ERR_PTR (linux/err.h) ---- */
#define MAX_ERRNO 4095
/*
 * Error pointers and values encode -errno in the top MAX_ERRNO values of the address space: the
 * complement of -e is e - 1, so a value is an error exactly when its complement is below
 * MAX_ERRNO.
 */
#define IS_ERR_VALUE(x) unlikely(~(unsigned long)(x) < (unsigned long)MAX_ERRNO)
static inline void *ERR_PTR(long error)
{
	return (void *)error;
}
static inline long PTR_ERR(const void *ptr)
{
	return (long)ptr;
}
static inline bool IS_ERR(const void *ptr)
{
	return IS_ERR_VALUE((unsigned long)ptr);
}
static inline bool IS_ERR_OR_NULL(const void *ptr)
{
	return unlikely(!ptr) || IS_ERR_VALUE((unsigned long)ptr);
}
static inline void *ERR_CAST(const void *ptr)
{
	return (void *)ptr;
}
static inline int PTR_ERR_OR_ZERO(const void *ptr)
{
	return IS_ERR(ptr) ? (int)PTR_ERR(ptr) : 0;
}

/* ---- doubly linked lists (linux/list.h) ---- */
struct list_head {
	struct list_head *next, *prev;
};
#define LIST_HEAD_INIT(name) { &(name), &(name) }
static inline void INIT_LIST_HEAD(struct list_head *list)
{
	list->next = list;
	list->prev = list;
}
static inline void list_add_tail(struct list_head *item, struct list_head *head)
{
	item->prev = head->prev;
	item->next = head;
	head->prev->next = item;
	head->prev = item;
}
static inline void list_del_init(struct list_head *item)
{
	item->prev->next = item->next;
	item->next->prev = item->prev;
	INIT_LIST_HEAD(item);
}
static inline bool list_empty(const struct list_head *head)
{
	return head->next == head;
}
#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_for_each_entry(pos, head, member)                                  \
	for (pos = list_entry((head)->next, __typeof__(*pos), member);          \
	     &pos->member != (head);                                            \
	     pos = list_entry(pos->member.next, __typeof__(*pos), member))
#define list_for_each_entry_safe(pos, n, head, member)                          \
	for (pos = list_entry((head)->next, __typeof__(*pos), member),          \
	    n = list_entry(pos->member.next, __typeof__(*pos), member);         \
	     &pos->member != (head);                                            \
	     pos = n, n = list_entry(n->member.next, __typeof__(*n), member))

/* ---- string functions: the C library's, declared as the kernel declares them ---- */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *s, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
/* The first byte of @start[0..@bytes) that is not @c, or NULL (lib/string.c). */
static inline void *memchr_inv(const void *start, int c, size_t bytes)
{
	const unsigned char *p = start;
	size_t i;

	for (i = 0; i < bytes; i++)
		if (p[i] != (unsigned char)c)
			return (void *)(p + i);
	return NULL;
}
int strcmp(const char *a, const char *b);

/*
 * ---- scope-based cleanup (linux/cleanup.h): CLASS(name, var)(args) ----
 * DEFINE_CLASS(name, type, on_exit, on_init, params...) names a scoped value: CLASS(name, var)(args)
 * declares `var` of `type`, set to `on_init` evaluated with `params` bound to `args`; when `var`
 * goes out of scope, `on_exit` runs with the value available as `_T`. Built on the compiler's
 * cleanup attribute: the cleanup function receives &var and passes the value on by copy.
 */
#define DEFINE_CLASS(name, type, on_exit, on_init, params...)                          \
	typedef type __lockstep_scoped_##name;                                         \
	static inline void __lockstep_scope_exit_##name(__lockstep_scoped_##name _T)     \
	{                                                                              \
		on_exit;                                                               \
	}                                                                              \
	static inline void __lockstep_scope_drop_##name(__lockstep_scoped_##name *slot)  \
	{                                                                              \
		__lockstep_scope_exit_##name(*slot);                                   \
	}                                                                              \
	static inline __lockstep_scoped_##name __lockstep_scope_make_##name(params)      \
	{                                                                              \
		return on_init;                                                        \
	}
/* The variable exists for its cleanup: a guard() nobody names is not "unused" (clang warns). */
#define CLASS(name, var)                                                                  \
	__lockstep_scoped_##name var __attribute__((__unused__))                          \
		__attribute__((__cleanup__(__lockstep_scope_drop_##name))) =              \
		__lockstep_scope_make_##name


/*
 * DEFINE_FREE(name, type, free) / __free(name): a variable freed by `free` (with the value as
 * `_T`) when it goes out of scope, unless no_free_ptr()/return_ptr() took it (linux/cleanup.h).
 */
#define DEFINE_FREE(_name, _type, _free)                                              \
	static inline void __lockstep_free_##_name(void *p)                           \
	{                                                                             \
		_type _T = *(_type *)p;                                               \
		_free;                                                                \
	}
#define __free(_name) __attribute__((__cleanup__(__lockstep_free_##_name)))
#define no_free_ptr(p)                           \
	({                                       \
		__auto_type __lockstep_ptr = (p);  \
		(p) = NULL;                      \
		__lockstep_ptr;                  \
	})
#define return_ptr(p) return no_free_ptr(p)
#define retain_and_null_ptr(p) ((void)no_free_ptr(p))
/* scoped_guard(name, args...) { ... }: the guard holds for the block (linux/cleanup.h). */
#define scoped_guard(_name, args...)                                                       \
	for (CLASS(_name, __LOCKSTEP_PASTE(__scoped_, __LINE__))(args),                     \
	     *__lockstep_done = NULL; !__lockstep_done; __lockstep_done = (void *)1)

#endif /* LOCKSTEP_SHIM_DUP_H */
