/* The AsyncRef trace format, version 2 (spec/trace-format.md): constants shared by the recorder and the tests. */
#ifndef ASYNCREF_TRACE_FORMAT_H
#define ASYNCREF_TRACE_FORMAT_H

#include <stdint.h>

#define TRACE_MAGIC "ASRTRACE"
#define TRACE_VERSION_MAJOR 2
#define TRACE_VERSION_MINOR 0
#define TRACE_HEADER_SIZE 32u
#define TRACE_CHUNK_MAGIC 0x4B4E4843u /* "CHNK" little-endian */
#define TRACE_CHUNK_HEADER_SIZE 16u
#define TRACE_RECORD_HEADER_SIZE 16u
#define TRACE_META_THREAD 0xFFFFFFFFu

enum trace_kind {
    TK_CALL = 1,
    TK_RETURN = 2,
    TK_BODY_ENTER = 3,
    TK_BODY_RETURN = 4,
    TK_CLEANUP_ENTER = 5,
    TK_CLEANUP_RETURN = 6,
    TK_THREAD = 16,
    TK_MODULE = 17,
    TK_PROGRAM = 18,
    TK_END = 19,
};

enum trace_fn {
    TF_NONE = 0,
    TF_INIT_THREAD = 1,
    TF_CLEANUP_THREAD = 2,
    TF_CTX_NEW = 3,
    TF_CTX_FREE = 4,
    TF_SET_WAIT_FD = 5,
    TF_GET_FD = 6,
    TF_GET_ALL_FDS = 7,
    TF_GET_CHANGED_FDS = 8,
    TF_CLEAR_FD = 9,
    TF_SET_CALLBACK = 10,
    TF_GET_CALLBACK = 11,
    TF_SET_STATUS = 12,
    TF_GET_STATUS = 13,
    TF_IS_CAPABLE = 14,
    TF_START_JOB = 15,
    TF_PAUSE_JOB = 16,
    TF_GET_CURRENT_JOB = 17,
    TF_GET_WAIT_CTX = 18,
    TF_BLOCK_PAUSE = 19,
    TF_UNBLOCK_PAUSE = 20,
};

#endif
