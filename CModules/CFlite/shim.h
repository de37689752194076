/*
 * CFlite: CMU Flite (text to speech) for Swift. Every shim symbol starts with cflite_.
 *
 * - The voices' register functions live in each voice's own library and are declared in no
 *   installed header, so they are declared here.
 * - On an internal error flite calls exit() unless cst_errjmp points at a jmp_buf, in which case
 *   it longjmps there. Swift cannot setjmp, so cflite_text_to_wave does it: a bad input fails one
 *   prompt (NULL) instead of ending the gateway. The longjmp skips flite's own clean-up, so the
 *   utterance leaks; that is the price of staying up.
 * - cst_errjmp is one process-wide variable and flite keeps other global state, so callers
 *   serialize every call into flite (the Swift side holds one lock).
 */
#ifndef CFLITE_SHIM_H
#define CFLITE_SHIM_H

#include <setjmp.h>
#include <flite/flite.h>

cst_voice *register_cmu_us_slt(const char *voxdir);
cst_voice *register_cmu_us_kal16(const char *voxdir);
cst_voice *register_cmu_us_kal(const char *voxdir);
cst_voice *register_cmu_us_awb(const char *voxdir);
cst_voice *register_cmu_us_rms(const char *voxdir);

/* Synthesizes text (ASCII) with a voice; NULL when flite reported an error. Free with delete_wave. */
static inline cst_wave *cflite_text_to_wave(const char *text, cst_voice *voice) {
    jmp_buf here;
    jmp_buf *volatile previous = cst_errjmp;
    cst_wave *volatile wave = NULL;
    cst_errjmp = &here;
    if (setjmp(here) == 0) {
        wave = flite_text_to_wave(text, voice);
    }
    cst_errjmp = previous;
    return wave;
}

#endif
