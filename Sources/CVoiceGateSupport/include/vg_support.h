/*
 * CVoiceGateSupport: the little C that VoiceGate's Swift cannot express safely.
 * Every symbol starts with vg_.
 */
#ifndef VG_SUPPORT_H
#define VG_SUPPORT_H

#include "vg_thread.h"
#include "vg_audio_port.h"
#include "vg_admission.h"
#include "vg_request.h"
#include "vg_request_checks.h"
#include "vg_parse_errors.h"
#include "vg_outbound_identity.h"
#include "vg_refer_target.h"
#include "vg_registrar.h"

#endif
