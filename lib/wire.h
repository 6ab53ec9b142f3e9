/*
 * wire.h — the byte protocol between the ingest process and its reader
 * processes.  Frames: u32 payload length (little-endian), u8 type, payload.
 * The ingest process decodes what a reader sends with full bounds checks:
 * a reader that went wrong may send anything.
 */
#ifndef LKA_WIRE_H
#define LKA_WIRE_H

#include "reader.h"

#define LKA_WIRE_MAX_FRAME ((size_t)1 << 30)

typedef enum lka_frame_type {
	LKA_FR_TASK = 1,       /* ingest -> reader: read this file */
	LKA_FR_ITEM_BEGIN = 2, /* reader -> ingest */
	LKA_FR_FOLDER = 3,
	LKA_FR_MESSAGE = 4,
	LKA_FR_DIAG = 5,
	LKA_FR_TASK_END = 6,
	LKA_FR_CONTACT = 7,
} lka_frame_type;

/* A task as sent to a reader. */
typedef struct lka_wire_task {
	uint64_t id;
	lka_task task; /* when decoded, path and display are malloc'd: lka_wire_task_clear */
} lka_wire_task;

void lka_wire_task_clear(lka_wire_task *t);

/* A decoded reader frame (strings and trees owned by the frame). */
typedef struct lka_frame {
	lka_frame_type type;
	uint64_t task_id;
	bool has_loc;
	lka_itemloc loc;
	int64_t folder_id;     /* MESSAGE, CONTACT */
	lka_msg *msg;          /* MESSAGE, owned */
	lka_contact *contact;  /* CONTACT, owned */
	lka_folder folder;     /* FOLDER, owned strings */
	lka_diag diag;         /* DIAG, owned strings */
	lka_status status;     /* TASK_END */
} lka_frame;

void lka_frame_clear(lka_frame *f);

/* Encoders append one whole frame to b; false on OOM or over the frame cap. */
bool lka_wire_put_task(lka_buf *b, uint64_t id, const lka_task *t);
bool lka_wire_put_item_begin(lka_buf *b, uint64_t task_id, const lka_itemloc *loc);
bool lka_wire_put_folder(lka_buf *b, uint64_t task_id, const lka_folder *f);
bool lka_wire_put_message(lka_buf *b, uint64_t task_id, const lka_itemloc *loc, int64_t folder_id,
			  const lka_msg *m);
bool lka_wire_put_contact(lka_buf *b, uint64_t task_id, const lka_itemloc *loc, int64_t folder_id,
			  const lka_contact *c);
bool lka_wire_put_diag(lka_buf *b, uint64_t task_id, const lka_itemloc *loc, const lka_diag *d);
bool lka_wire_put_task_end(lka_buf *b, uint64_t task_id, lka_status st);

/*
 * Is there a whole frame at the start of p[0..n)?  Returns its total length
 * (header included), 0 if more bytes are needed, or SIZE_MAX if the length
 * field is impossible (stream corrupt).
 */
size_t lka_wire_frame_len(const unsigned char *p, size_t n);

/* Decode one whole frame (as measured by lka_wire_frame_len).  false: corrupt or OOM. */
bool lka_wire_get_frame(lka_frame *out, const unsigned char *p, size_t n);
/* The next whole frame of a stream p[*off..n) decoded into out, *off moved
 * past it: 1; 0 when no whole frame is there yet; -1 when the bytes are not
 * a frame (or out of memory). */
int lka_wire_next_frame(lka_frame *out, const unsigned char *p, size_t n, size_t *off);
/* Decode a task frame. */
bool lka_wire_get_task(lka_wire_task *out, const unsigned char *p, size_t n);

#endif /* LKA_WIRE_H */
