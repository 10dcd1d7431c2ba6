/*
 * fault-pkcs11: a PKCS#11 module for the test suite only (never shipped). It forwards every
 * call to a real module (SoftHSM2 by default) and adds what real USB keys do and SoftHSM2 does
 * not: a user-PIN retry counter with the COUNT_LOW / FINAL_TRY / LOCKED flags, the
 * USER_PIN_TO_BE_CHANGED flag of a freshly issued key, and, on request, a key pulled out at a
 * chosen call, a device error at a chosen call and a slow C_Sign. See README.md.
 *
 * Every CLI call is a new process, so the PIN state lives in a file (FAULT_PKCS11_STATE),
 * locked with flock and replaced atomically. The control file (FAULT_PKCS11_CONTROL) is read
 * again at every call, so a test can change the behaviour while the code under test runs.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "pkcs11.h"

#define EXPORT __attribute__((visibility("default")))

#define DEFAULT_TARGET "/usr/lib/softhsm/libsofthsm2.so"
#define DEFAULT_MAX_TRIES 6UL
#define SERIAL_LEN 16
#define MAX_TOKENS 64
#define MAX_RULES 16
#define MAX_COUNTERS 64
#define MAX_SESSIONS 1024
#define FN_LEN 40

/* ---------------------------------------------------------------- control file */

typedef struct {
  char fn[FN_LEN];
  unsigned long nth;
} rule_t;

typedef struct {
  unsigned long max_tries;
  unsigned long sign_delay_ms;
  int init_pin_to_be_changed;
  int has_remove;
  rule_t remove_at;
  int n_errors;
  rule_t device_error_at[MAX_RULES];
  int n_marks;
  char to_be_changed[MAX_RULES][SERIAL_LEN + 1];
  unsigned long long hash;
  int bad;
  char bad_line[160];
} control_t;

static unsigned long long fnv1a(const char *data, size_t len) {
  unsigned long long h = 1469598103934665603ULL;
  for (size_t i = 0; i < len; i++) {
    h ^= (unsigned char)data[i];
    h *= 1099511628211ULL;
  }
  return h;
}

static char *trim(char *s) {
  while (*s == ' ' || *s == '\t' || *s == '\r') s++;
  char *end = s + strlen(s);
  while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r')) *--end = '\0';
  return s;
}

static int parse_ulong(const char *text, unsigned long *out) {
  if (!*text) return 0;
  char *end;
  errno = 0;
  unsigned long value = strtoul(text, &end, 10);
  if (errno || *end || text[0] == '-') return 0;
  *out = value;
  return 1;
}

/* "C_Sign:1": the first C_Sign; the count starts again whenever the control file changes. */
static int parse_rule(const char *text, rule_t *rule) {
  const char *colon = strchr(text, ':');
  if (!colon || colon == text || (size_t)(colon - text) >= FN_LEN) return 0;
  memcpy(rule->fn, text, (size_t)(colon - text));
  rule->fn[colon - text] = '\0';
  return parse_ulong(colon + 1, &rule->nth) && rule->nth > 0;
}

static void mark_bad(control_t *c, const char *line) {
  c->bad = 1;
  snprintf(c->bad_line, sizeof c->bad_line, "%s", line);
}

static void parse_control_line(control_t *c, char *raw) {
  char *line = trim(raw);
  if (!*line || *line == '#') return;
  char *eq = strchr(line, '=');
  if (!eq) return mark_bad(c, line);
  *eq = '\0';
  char *key = trim(line), *value = trim(eq + 1);
  unsigned long n;
  if (!strcmp(key, "max_tries")) {
    if (!parse_ulong(value, &n) || n == 0) return mark_bad(c, key);
    c->max_tries = n;
  } else if (!strcmp(key, "sign_delay_ms")) {
    if (!parse_ulong(value, &n) || n > 60000) return mark_bad(c, key);
    c->sign_delay_ms = n;
  } else if (!strcmp(key, "init_pin_to_be_changed")) {
    if (!parse_ulong(value, &n) || n > 1) return mark_bad(c, key);
    c->init_pin_to_be_changed = (int)n;
  } else if (!strcmp(key, "remove_at")) {
    if (!parse_rule(value, &c->remove_at)) return mark_bad(c, key);
    c->has_remove = 1;
  } else if (!strcmp(key, "device_error_at")) {
    if (c->n_errors == MAX_RULES || !parse_rule(value, &c->device_error_at[c->n_errors])) return mark_bad(c, key);
    c->n_errors++;
  } else if (!strcmp(key, "to_be_changed")) {
    if (c->n_marks == MAX_RULES || !*value || strlen(value) > SERIAL_LEN) return mark_bad(c, key);
    strcpy(c->to_be_changed[c->n_marks++], value);
  } else {
    mark_bad(c, key);
  }
}

static void read_control(control_t *c) {
  memset(c, 0, sizeof *c);
  c->max_tries = DEFAULT_MAX_TRIES;
  /* A fresh vendor key's user PIN, set by the office with C_InitPIN, must be changed (M4). */
  c->init_pin_to_be_changed = 1;
  char buffer[16384];
  size_t len = 0;
  const char *path = getenv("FAULT_PKCS11_CONTROL");
  if (path && *path) {
    FILE *f = fopen(path, "r");
    if (f) {
      len = fread(buffer, 1, sizeof buffer - 1, f);
      fclose(f);
    }
  }
  buffer[len] = '\0';
  c->hash = fnv1a(buffer, len);
  char *save = NULL;
  for (char *line = strtok_r(buffer, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) parse_control_line(c, line);
}

/* ---------------------------------------------------------------- token state */

typedef struct {
  char serial[SERIAL_LEN + 1];
  unsigned long failures; /* wrong user PINs since the last success; locked at max_tries */
  int change;             /* CKF_USER_PIN_TO_BE_CHANGED */
  int removed;            /* pulled out; plugged back when the control file changes */
} token_t;

typedef struct {
  unsigned long long control_hash; /* the control content whose one-shot effects were applied */
  int n;
  token_t tokens[MAX_TOKENS];
} state_t;

static state_t state;

static void load_state(const char *path) {
  memset(&state, 0, sizeof state);
  FILE *f = fopen(path, "r");
  if (!f) return;
  char line[256];
  while (fgets(line, sizeof line, f)) {
    token_t t;
    int change, removed;
    if (sscanf(line, "control %llx", &state.control_hash) == 1) continue;
    memset(&t, 0, sizeof t);
    if (sscanf(line, "token %16s failures=%lu change=%d removed=%d", t.serial, &t.failures, &change, &removed) == 4 &&
        state.n < MAX_TOKENS) {
      t.change = change;
      t.removed = removed;
      state.tokens[state.n++] = t;
    }
  }
  fclose(f);
}

/* Written to a temporary file and renamed, so a reader never sees half a state. */
static void save_state(const char *path) {
  char tmp[PATH_MAX];
  snprintf(tmp, sizeof tmp, "%s.%ld.%lu.tmp", path, (long)getpid(), (unsigned long)pthread_self());
  FILE *f = fopen(tmp, "w");
  if (!f) {
    fprintf(stderr, "fault-pkcs11: cannot write %s: %s\n", tmp, strerror(errno));
    return;
  }
  fprintf(f, "control %llx\n", state.control_hash);
  for (int i = 0; i < state.n; i++) {
    const token_t *t = &state.tokens[i];
    fprintf(f, "token %s failures=%lu change=%d removed=%d\n", t->serial, t->failures, t->change, t->removed);
  }
  if (fclose(f) != 0 || rename(tmp, path) != 0) {
    fprintf(stderr, "fault-pkcs11: cannot replace %s: %s\n", path, strerror(errno));
    unlink(tmp);
  }
}

static token_t *find_token(const char *serial, int create) {
  if (!serial || !*serial) return NULL;
  for (int i = 0; i < state.n; i++)
    if (!strcmp(state.tokens[i].serial, serial)) return &state.tokens[i];
  if (!create || state.n == MAX_TOKENS) return NULL;
  token_t *t = &state.tokens[state.n++];
  memset(t, 0, sizeof *t);
  snprintf(t->serial, sizeof t->serial, "%s", serial);
  return t;
}

/* ---------------------------------------------------------------- the target module */

static void *target_handle;
static CK_FUNCTION_LIST *target;
static CK_FUNCTION_LIST wrapped;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* Sessions opened through this module, so a call on a session knows its token without asking
 * the target (which has forgotten the session once the key was "pulled"). */
typedef struct {
  CK_SESSION_HANDLE handle;
  CK_SLOT_ID slot;
  char serial[SERIAL_LEN + 1];
  int dead; /* closed by a removal: refused until the application closes it */
} session_t;

static session_t sessions[MAX_SESSIONS];
static int n_sessions;

static session_t *find_session(CK_SESSION_HANDLE handle) {
  for (int i = 0; i < n_sessions; i++)
    if (sessions[i].handle == handle) return &sessions[i];
  return NULL;
}

static void forget_session(CK_SESSION_HANDLE handle) {
  session_t *s = find_session(handle);
  if (s) *s = sessions[--n_sessions];
}

/* Per-process call counts for the *_at=FUNCTION:N rules. */
static struct {
  char fn[FN_LEN];
  unsigned long n;
} counters[MAX_COUNTERS];
static int n_counters;
static unsigned long long counted_hash;
static int counted_once;

static unsigned long count_call(const char *fn) {
  for (int i = 0; i < n_counters; i++)
    if (!strcmp(counters[i].fn, fn)) return ++counters[i].n;
  if (n_counters == MAX_COUNTERS) return 0;
  snprintf(counters[n_counters].fn, FN_LEN, "%s", fn);
  counters[n_counters].n = 1;
  return counters[n_counters++].n;
}

/* PKCS#11 pads the serial with blanks to 16 bytes. */
static CK_RV serial_of_slot(CK_SLOT_ID slot, char out[SERIAL_LEN + 1]) {
  CK_TOKEN_INFO info;
  out[0] = '\0';
  CK_RV rv = target->C_GetTokenInfo(slot, &info);
  if (rv != CKR_OK) return rv;
  memcpy(out, info.serialNumber, SERIAL_LEN);
  out[SERIAL_LEN] = '\0';
  for (int i = SERIAL_LEN - 1; i >= 0 && (out[i] == ' ' || out[i] == '\0'); i--) out[i] = '\0';
  return CKR_OK;
}

/* ---------------------------------------------------------------- one call's context */

typedef struct {
  control_t control;
  const char *state_path;
  int lock_fd;
  int dirty;
} ctx_t;

static void end(ctx_t *c) {
  if (c->dirty && c->state_path) save_state(c->state_path);
  if (c->lock_fd >= 0) {
    flock(c->lock_fd, LOCK_UN);
    close(c->lock_fd);
  }
  pthread_mutex_unlock(&lock);
}

/* Takes the locks, reads the control file and the state, and applies what a changed control
 * file means: marked keys get the to-be-changed flag, pulled keys are plugged back in, and
 * the call counts start again. */
static CK_RV begin(ctx_t *c) {
  pthread_mutex_lock(&lock);
  memset(c, 0, sizeof *c);
  c->lock_fd = -1;
  const char *path = getenv("FAULT_PKCS11_STATE");
  if (path && *path) {
    char lock_path[PATH_MAX];
    snprintf(lock_path, sizeof lock_path, "%s.lock", path);
    c->lock_fd = open(lock_path, O_CREAT | O_RDWR | O_CLOEXEC, 0600);
    if (c->lock_fd < 0 || flock(c->lock_fd, LOCK_EX) != 0) {
      fprintf(stderr, "fault-pkcs11: cannot lock %s: %s\n", lock_path, strerror(errno));
      end(c);
      return CKR_GENERAL_ERROR;
    }
    c->state_path = path;
    load_state(path);
  }
  read_control(&c->control);
  if (c->control.bad) {
    fprintf(stderr, "fault-pkcs11: bad control line: %s\n", c->control.bad_line);
    end(c);
    return CKR_GENERAL_ERROR;
  }
  if (state.control_hash != c->control.hash) {
    for (int i = 0; i < state.n; i++) state.tokens[i].removed = 0;
    for (int i = 0; i < c->control.n_marks; i++) find_token(c->control.to_be_changed[i], 1)->change = 1;
    state.control_hash = c->control.hash;
    c->dirty = 1;
  }
  if (!counted_once || counted_hash != c->control.hash) {
    n_counters = 0;
    counted_hash = c->control.hash;
    counted_once = 1;
  }
  return CKR_OK;
}

static int rule_hits(const rule_t *rule, const char *fn, unsigned long nth) {
  return nth == rule->nth && !strcmp(rule->fn, fn);
}

/* Pulls the key out: the target closes its sessions (a real key takes them with it), and
 * from now on the slot shows no token until the control file changes. */
static void remove_token(ctx_t *c, const char *serial, CK_SLOT_ID slot, int have_slot) {
  CK_SLOT_ID slots[64];
  CK_ULONG count = 64;
  if (have_slot) {
    slots[0] = slot;
    count = 1;
  } else if (target->C_GetSlotList(CK_TRUE, slots, &count) != CKR_OK) {
    count = 0;
  }
  for (CK_ULONG i = 0; i < count; i++) {
    char s[SERIAL_LEN + 1];
    if (have_slot && serial && *serial) snprintf(s, sizeof s, "%s", serial);
    else if (serial_of_slot(slots[i], s) != CKR_OK) continue;
    token_t *t = find_token(s, 1);
    if (!t) continue;
    t->removed = 1;
    c->dirty = 1;
    target->C_CloseAllSessions(slots[i]);
    for (int k = 0; k < n_sessions; k++)
      if (sessions[k].slot == slots[i]) sessions[k].dead = 1;
  }
}

/* The generic hook every wrapped call goes through: a pulled key, then the injected faults. */
static CK_RV faults(ctx_t *c, const char *fn, const char *serial, CK_SLOT_ID slot, int have_slot) {
  unsigned long nth = count_call(fn);
  token_t *t = find_token(serial, 0);
  if (t && t->removed) return CKR_TOKEN_NOT_PRESENT;
  if (c->control.has_remove && rule_hits(&c->control.remove_at, fn, nth)) {
    remove_token(c, serial, slot, have_slot);
    return CKR_DEVICE_REMOVED;
  }
  for (int i = 0; i < c->control.n_errors; i++)
    if (rule_hits(&c->control.device_error_at[i], fn, nth)) return CKR_DEVICE_ERROR;
  return CKR_OK;
}

static CK_RV slot_faults(ctx_t *c, const char *fn, CK_SLOT_ID slot, char serial[SERIAL_LEN + 1]) {
  if (serial_of_slot(slot, serial) != CKR_OK) serial[0] = '\0';
  return faults(c, fn, serial, slot, 1);
}

static CK_RV session_faults(ctx_t *c, const char *fn, CK_SESSION_HANDLE handle, char serial[SERIAL_LEN + 1],
                            CK_SLOT_ID *slot_out) {
  session_t *s = find_session(handle);
  serial[0] = '\0';
  if (!s) return faults(c, fn, NULL, 0, 0);
  snprintf(serial, SERIAL_LEN + 1, "%s", s->serial);
  if (slot_out) *slot_out = s->slot;
  if (s->dead) {
    count_call(fn);
    token_t *t = find_token(s->serial, 0);
    /* The key came back, but its old sessions died with the removal, as on a real key. */
    return t && t->removed ? CKR_TOKEN_NOT_PRESENT : CKR_SESSION_HANDLE_INVALID;
  }
  return faults(c, fn, serial, s->slot, 1);
}

/* ---------------------------------------------------------------- wrapped functions */

static CK_RV w_Finalize(void *reserved) {
  pthread_mutex_lock(&lock);
  n_sessions = 0;
  pthread_mutex_unlock(&lock);
  return target->C_Finalize(reserved);
}

static CK_RV w_GetSlotList(CK_BBOOL token_present, CK_SLOT_ID *list, CK_ULONG *count) {
  if (!count) return CKR_ARGUMENTS_BAD;
  ctx_t c;
  CK_RV rv = begin(&c);
  if (rv != CKR_OK) return rv;
  rv = faults(&c, "C_GetSlotList", NULL, 0, 0);
  CK_SLOT_ID all[64];
  CK_ULONG n = 64, kept = 0;
  if (rv == CKR_OK) rv = target->C_GetSlotList(token_present, all, &n);
  if (rv == CKR_OK) {
    /* A pulled key's slot stays (the reader is still there) but shows no token. */
    for (CK_ULONG i = 0; i < n; i++) {
      char serial[SERIAL_LEN + 1];
      token_t *t = NULL;
      if (token_present && serial_of_slot(all[i], serial) == CKR_OK) t = find_token(serial, 0);
      if (!t || !t->removed) all[kept++] = all[i];
    }
    if (list && *count < kept) rv = CKR_BUFFER_TOO_SMALL;
    else if (list) memcpy(list, all, kept * sizeof *all);
    *count = kept;
  }
  end(&c);
  return rv;
}

static CK_RV w_GetSlotInfo(CK_SLOT_ID slot, CK_SLOT_INFO *info) {
  ctx_t c;
  CK_RV rv = begin(&c);
  if (rv != CKR_OK) return rv;
  char serial[SERIAL_LEN + 1];
  if (serial_of_slot(slot, serial) != CKR_OK) serial[0] = '\0';
  token_t *t = find_token(serial, 0);
  int removed = t && t->removed;
  rv = removed ? CKR_OK : faults(&c, "C_GetSlotInfo", serial, slot, 1);
  if (rv == CKR_OK) rv = target->C_GetSlotInfo(slot, info);
  if (rv == CKR_OK && removed) info->flags &= ~(CK_FLAGS)CKF_TOKEN_PRESENT;
  end(&c);
  return rv;
}

static CK_RV w_GetTokenInfo(CK_SLOT_ID slot, CK_TOKEN_INFO *info) {
  ctx_t c;
  CK_RV rv = begin(&c);
  if (rv != CKR_OK) return rv;
  char serial[SERIAL_LEN + 1];
  rv = slot_faults(&c, "C_GetTokenInfo", slot, serial);
  if (rv == CKR_OK) rv = target->C_GetTokenInfo(slot, info);
  if (rv == CKR_OK) {
    /* SoftHSM2 never counts tries; what the flags say is this module's counter. */
    token_t *t = find_token(serial, 0);
    unsigned long max = c.control.max_tries;
    unsigned long failures = t ? t->failures : 0;
    info->flags &= ~(CK_FLAGS)(CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY | CKF_USER_PIN_LOCKED | CKF_USER_PIN_TO_BE_CHANGED);
    if (failures >= max) {
      info->flags |= CKF_USER_PIN_LOCKED;
    } else {
      if (failures > 0) info->flags |= CKF_USER_PIN_COUNT_LOW;
      if (max - failures == 1) info->flags |= CKF_USER_PIN_FINAL_TRY;
    }
    if (t && t->change) info->flags |= CKF_USER_PIN_TO_BE_CHANGED;
  }
  end(&c);
  return rv;
}

static CK_RV w_GetMechanismList(CK_SLOT_ID slot, CK_MECHANISM_TYPE *list, CK_ULONG *count) {
  ctx_t c;
  CK_RV rv = begin(&c);
  if (rv != CKR_OK) return rv;
  char serial[SERIAL_LEN + 1];
  rv = slot_faults(&c, "C_GetMechanismList", slot, serial);
  end(&c);
  return rv != CKR_OK ? rv : target->C_GetMechanismList(slot, list, count);
}

static CK_RV w_GetMechanismInfo(CK_SLOT_ID slot, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO *info) {
  ctx_t c;
  CK_RV rv = begin(&c);
  if (rv != CKR_OK) return rv;
  char serial[SERIAL_LEN + 1];
  rv = slot_faults(&c, "C_GetMechanismInfo", slot, serial);
  end(&c);
  return rv != CKR_OK ? rv : target->C_GetMechanismInfo(slot, type, info);
}

/* Re-initialising a key gives it a clean counter; its new user PIN comes with C_InitPIN. */
static CK_RV w_InitToken(CK_SLOT_ID slot, CK_UTF8CHAR *so_pin, CK_ULONG so_pin_len, CK_UTF8CHAR *label) {
  ctx_t c;
  CK_RV rv = begin(&c);
  if (rv != CKR_OK) return rv;
  char serial[SERIAL_LEN + 1];
  rv = slot_faults(&c, "C_InitToken", slot, serial);
  if (rv == CKR_OK) rv = target->C_InitToken(slot, so_pin, so_pin_len, label);
  if (rv == CKR_OK && serial_of_slot(slot, serial) == CKR_OK) {
    token_t *t = find_token(serial, 1);
    if (t) {
      t->failures = 0;
      t->change = 0;
      t->removed = 0;
      c.dirty = 1;
    }
  }
  end(&c);
  return rv;
}

static CK_RV w_OpenSession(CK_SLOT_ID slot, CK_FLAGS flags, void *app, CK_NOTIFY notify, CK_SESSION_HANDLE *handle) {
  ctx_t c;
  CK_RV rv = begin(&c);
  if (rv != CKR_OK) return rv;
  char serial[SERIAL_LEN + 1];
  rv = slot_faults(&c, "C_OpenSession", slot, serial);
  if (rv == CKR_OK) rv = target->C_OpenSession(slot, flags, app, notify, handle);
  if (rv == CKR_OK) {
    /* The target may hand out a number a dead session had: that entry is gone for good. */
    forget_session(*handle);
    if (n_sessions < MAX_SESSIONS) {
      session_t *s = &sessions[n_sessions++];
      s->handle = *handle;
      s->slot = slot;
      s->dead = 0;
      snprintf(s->serial, sizeof s->serial, "%s", serial);
    }
  }
  end(&c);
  return rv;
}

static CK_RV w_CloseSession(CK_SESSION_HANDLE handle) {
  ctx_t c;
  CK_RV rv = begin(&c);
  if (rv != CKR_OK) return rv;
  char serial[SERIAL_LEN + 1];
  session_t *s = find_session(handle);
  int dead = s && s->dead;
  rv = session_faults(&c, "C_CloseSession", handle, serial, NULL);
  if (rv == CKR_OK) rv = target->C_CloseSession(handle);
  if (rv == CKR_OK || dead) forget_session(handle);
  end(&c);
  return rv;
}

static CK_RV w_CloseAllSessions(CK_SLOT_ID slot) {
  ctx_t c;
  CK_RV rv = begin(&c);
  if (rv != CKR_OK) return rv;
  char serial[SERIAL_LEN + 1];
  rv = slot_faults(&c, "C_CloseAllSessions", slot, serial);
  if (rv == CKR_OK) rv = target->C_CloseAllSessions(slot);
  if (rv == CKR_OK)
    for (int i = n_sessions - 1; i >= 0; i--)
      if (sessions[i].slot == slot) sessions[i] = sessions[--n_sessions];
  end(&c);
  return rv;
}

/* The retry counter of a real key. SoftHSM2 never locks, so at zero tries this module refuses
 * by itself without asking the target. */
static CK_RV w_Login(CK_SESSION_HANDLE handle, CK_USER_TYPE user, CK_UTF8CHAR *pin, CK_ULONG pin_len) {
  ctx_t c;
  CK_RV rv = begin(&c);
  if (rv != CKR_OK) return rv;
  char serial[SERIAL_LEN + 1];
  rv = session_faults(&c, "C_Login", handle, serial, NULL);
  token_t *t = user == CKU_USER ? find_token(serial, 1) : NULL;
  if (rv == CKR_OK && t && t->failures >= c.control.max_tries) rv = CKR_PIN_LOCKED;
  else if (rv == CKR_OK) rv = target->C_Login(handle, user, pin, pin_len);
  if (t && rv == CKR_PIN_INCORRECT) {
    t->failures++;
    c.dirty = 1;
  } else if (t && rv == CKR_OK && t->failures) {
    t->failures = 0;
    c.dirty = 1;
  }
  end(&c);
  return rv;
}

static CK_RV w_Logout(CK_SESSION_HANDLE handle) {
  ctx_t c;
  CK_RV rv = begin(&c);
  if (rv != CKR_OK) return rv;
  char serial[SERIAL_LEN + 1];
  rv = session_faults(&c, "C_Logout", handle, serial, NULL);
  end(&c);
  return rv != CKR_OK ? rv : target->C_Logout(handle);
}

/* The SO setting a user PIN (a reset after a lock, or issuance) clears the counter; the new
 * PIN was chosen by someone else, so a real key asks for it to be changed. */
static CK_RV w_InitPIN(CK_SESSION_HANDLE handle, CK_UTF8CHAR *pin, CK_ULONG pin_len) {
  ctx_t c;
  CK_RV rv = begin(&c);
  if (rv != CKR_OK) return rv;
  char serial[SERIAL_LEN + 1];
  rv = session_faults(&c, "C_InitPIN", handle, serial, NULL);
  if (rv == CKR_OK) rv = target->C_InitPIN(handle, pin, pin_len);
  token_t *t = rv == CKR_OK ? find_token(serial, 1) : NULL;
  if (t) {
    t->failures = 0;
    t->change = c.control.init_pin_to_be_changed;
    c.dirty = 1;
  }
  end(&c);
  return rv;
}

/* A user PIN change counts a wrong old PIN like a login and clears the to-be-changed flag. */
static CK_RV w_SetPIN(CK_SESSION_HANDLE handle, CK_UTF8CHAR *old_pin, CK_ULONG old_len, CK_UTF8CHAR *new_pin, CK_ULONG new_len) {
  ctx_t c;
  CK_RV rv = begin(&c);
  if (rv != CKR_OK) return rv;
  char serial[SERIAL_LEN + 1];
  rv = session_faults(&c, "C_SetPIN", handle, serial, NULL);
  CK_SESSION_INFO info;
  int so = rv == CKR_OK && target->C_GetSessionInfo(handle, &info) == CKR_OK && info.state == CKS_RW_SO_FUNCTIONS;
  token_t *t = so ? NULL : find_token(serial, 1);
  if (rv == CKR_OK && t && t->failures >= c.control.max_tries) rv = CKR_PIN_LOCKED;
  else if (rv == CKR_OK) rv = target->C_SetPIN(handle, old_pin, old_len, new_pin, new_len);
  if (t && rv == CKR_PIN_INCORRECT) {
    t->failures++;
    c.dirty = 1;
  } else if (t && rv == CKR_OK) {
    t->failures = 0;
    t->change = 0;
    c.dirty = 1;
  }
  end(&c);
  return rv;
}

static void sleep_ms(unsigned long ms) {
  struct timespec left = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
  while (nanosleep(&left, &left) != 0 && errno == EINTR) {
  }
}

/* A real key takes 100-500 ms to sign; the wait happens outside every lock, like the key's own
 * computation, so other threads' calls are not held up. */
static CK_RV w_Sign(CK_SESSION_HANDLE handle, CK_BYTE *data, CK_ULONG data_len, CK_BYTE *signature, CK_ULONG *signature_len) {
  ctx_t c;
  CK_RV rv = begin(&c);
  if (rv != CKR_OK) return rv;
  char serial[SERIAL_LEN + 1];
  rv = session_faults(&c, "C_Sign", handle, serial, NULL);
  unsigned long delay = c.control.sign_delay_ms;
  end(&c);
  if (rv != CKR_OK) {
    /* A failed C_Sign ends the signing operation (PKCS#11 §5.2); finish the target's so that
     * the next C_SignInit on a surviving session is not refused with CKR_OPERATION_ACTIVE. */
    if (rv == CKR_DEVICE_ERROR) {
      CK_BYTE scratch[1024];
      CK_ULONG scratch_len = sizeof scratch;
      target->C_Sign(handle, data, data_len, scratch, &scratch_len);
    }
    return rv;
  }
  if (signature && delay) sleep_ms(delay);
  return target->C_Sign(handle, data, data_len, signature, signature_len);
}

/* Calls with nothing to add but the fault hook. */
#define SESSION_CALL(name, params, args)                            \
  static CK_RV w_##name params {                                    \
    ctx_t c;                                                        \
    CK_RV rv = begin(&c);                                           \
    if (rv != CKR_OK) return rv;                                    \
    char serial[SERIAL_LEN + 1];                                    \
    rv = session_faults(&c, "C_" #name, handle, serial, NULL);      \
    end(&c);                                                        \
    return rv != CKR_OK ? rv : target->C_##name args;               \
  }

SESSION_CALL(GetSessionInfo, (CK_SESSION_HANDLE handle, CK_SESSION_INFO *info), (handle, info))
SESSION_CALL(CreateObject, (CK_SESSION_HANDLE handle, CK_ATTRIBUTE *tmpl, CK_ULONG count, CK_OBJECT_HANDLE *object),
             (handle, tmpl, count, object))
SESSION_CALL(DestroyObject, (CK_SESSION_HANDLE handle, CK_OBJECT_HANDLE object), (handle, object))
SESSION_CALL(GetAttributeValue, (CK_SESSION_HANDLE handle, CK_OBJECT_HANDLE object, CK_ATTRIBUTE *tmpl, CK_ULONG count),
             (handle, object, tmpl, count))
SESSION_CALL(SetAttributeValue, (CK_SESSION_HANDLE handle, CK_OBJECT_HANDLE object, CK_ATTRIBUTE *tmpl, CK_ULONG count),
             (handle, object, tmpl, count))
SESSION_CALL(FindObjectsInit, (CK_SESSION_HANDLE handle, CK_ATTRIBUTE *tmpl, CK_ULONG count), (handle, tmpl, count))
SESSION_CALL(FindObjects, (CK_SESSION_HANDLE handle, CK_OBJECT_HANDLE *objects, CK_ULONG max, CK_ULONG *count),
             (handle, objects, max, count))
SESSION_CALL(FindObjectsFinal, (CK_SESSION_HANDLE handle), (handle))
SESSION_CALL(SignInit, (CK_SESSION_HANDLE handle, CK_MECHANISM *mechanism, CK_OBJECT_HANDLE key), (handle, mechanism, key))
SESSION_CALL(SignUpdate, (CK_SESSION_HANDLE handle, CK_BYTE *part, CK_ULONG part_len), (handle, part, part_len))
SESSION_CALL(SignFinal, (CK_SESSION_HANDLE handle, CK_BYTE *signature, CK_ULONG *signature_len), (handle, signature, signature_len))
SESSION_CALL(GenerateKeyPair,
             (CK_SESSION_HANDLE handle, CK_MECHANISM *mechanism, CK_ATTRIBUTE *public_tmpl, CK_ULONG public_count,
              CK_ATTRIBUTE *private_tmpl, CK_ULONG private_count, CK_OBJECT_HANDLE *public_key, CK_OBJECT_HANDLE *private_key),
             (handle, mechanism, public_tmpl, public_count, private_tmpl, private_count, public_key, private_key))

/* ---------------------------------------------------------------- entry point */

static CK_RV w_GetFunctionList(CK_FUNCTION_LIST **list);

static CK_RV load_target(void) {
  if (target) return CKR_OK;
  const char *path = getenv("FAULT_PKCS11_TARGET");
  if (!path || !*path) path = DEFAULT_TARGET;
  target_handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!target_handle) {
    fprintf(stderr, "fault-pkcs11: cannot load the target module %s: %s\n", path, dlerror());
    return CKR_GENERAL_ERROR;
  }
  CK_RV (*get)(CK_FUNCTION_LIST **) = (CK_RV(*)(CK_FUNCTION_LIST **))dlsym(target_handle, "C_GetFunctionList");
  CK_FUNCTION_LIST *list = NULL;
  if (!get || get(&list) != CKR_OK || !list) {
    fprintf(stderr, "fault-pkcs11: %s has no usable C_GetFunctionList\n", path);
    dlclose(target_handle);
    target_handle = NULL;
    return CKR_GENERAL_ERROR;
  }
  target = list;
  /* Everything not overridden below goes straight to the target. */
  wrapped = *list;
  wrapped.C_GetFunctionList = w_GetFunctionList;
  wrapped.C_Finalize = w_Finalize;
  wrapped.C_GetSlotList = w_GetSlotList;
  wrapped.C_GetSlotInfo = w_GetSlotInfo;
  wrapped.C_GetTokenInfo = w_GetTokenInfo;
  wrapped.C_GetMechanismList = w_GetMechanismList;
  wrapped.C_GetMechanismInfo = w_GetMechanismInfo;
  wrapped.C_InitToken = w_InitToken;
  wrapped.C_InitPIN = w_InitPIN;
  wrapped.C_SetPIN = w_SetPIN;
  wrapped.C_OpenSession = w_OpenSession;
  wrapped.C_CloseSession = w_CloseSession;
  wrapped.C_CloseAllSessions = w_CloseAllSessions;
  wrapped.C_GetSessionInfo = w_GetSessionInfo;
  wrapped.C_Login = w_Login;
  wrapped.C_Logout = w_Logout;
  wrapped.C_CreateObject = w_CreateObject;
  wrapped.C_DestroyObject = w_DestroyObject;
  wrapped.C_GetAttributeValue = w_GetAttributeValue;
  wrapped.C_SetAttributeValue = w_SetAttributeValue;
  wrapped.C_FindObjectsInit = w_FindObjectsInit;
  wrapped.C_FindObjects = w_FindObjects;
  wrapped.C_FindObjectsFinal = w_FindObjectsFinal;
  wrapped.C_SignInit = w_SignInit;
  wrapped.C_Sign = w_Sign;
  wrapped.C_SignUpdate = w_SignUpdate;
  wrapped.C_SignFinal = w_SignFinal;
  wrapped.C_GenerateKeyPair = w_GenerateKeyPair;
  return CKR_OK;
}

static CK_RV w_GetFunctionList(CK_FUNCTION_LIST **list) {
  if (!list) return CKR_ARGUMENTS_BAD;
  pthread_mutex_lock(&lock);
  CK_RV rv = load_target();
  pthread_mutex_unlock(&lock);
  if (rv == CKR_OK) *list = &wrapped;
  return rv;
}

EXPORT CK_RV C_GetFunctionList(CK_FUNCTION_LIST **list) { return w_GetFunctionList(list); }

__attribute__((destructor)) static void unload_target(void) {
  if (target_handle) dlclose(target_handle);
  target_handle = NULL;
  target = NULL;
}
