#ifndef CPJPROJECT_PJCONFIG_H
#define CPJPROJECT_PJCONFIG_H
/*
 * The macros pjproject's pkg-config Cflags carry (-DPJ_AUTOCONF=1 and the byte order). SwiftPM
 * drops -D flags from pkg-config output as "prohibited", yet without them pj/config.h takes its
 * static per-OS settings instead of the configure-detected ones the libraries were built with,
 * and structures could differ in layout from the library's. Include before any pj header.
 */
#ifndef PJ_AUTOCONF
#  define PJ_AUTOCONF 1
#endif
#if !defined(PJ_IS_LITTLE_ENDIAN) && !defined(PJ_IS_BIG_ENDIAN)
#  if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#    define PJ_IS_LITTLE_ENDIAN 0
#    define PJ_IS_BIG_ENDIAN 1
#  else
#    define PJ_IS_LITTLE_ENDIAN 1
#    define PJ_IS_BIG_ENDIAN 0
#  endif
#endif
#endif
