#ifndef REGIE_CCURL_SHIM_H
#define REGIE_CCURL_SHIM_H
#include <curl/curl.h>

// curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call; these take one typed argument each.
static inline CURLcode regie_curl_set_long(CURL *c, CURLoption o, long v) { return curl_easy_setopt(c, o, v); }
static inline CURLcode regie_curl_set_pointer(CURL *c, CURLoption o, const void *v) {
    return curl_easy_setopt(c, o, v);
}
static inline CURLcode regie_curl_set_write(CURL *c, size_t (*f)(char *, size_t, size_t, void *)) {
    return curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, f);
}
static inline CURLcode regie_curl_set_header_callback(CURL *c, size_t (*f)(char *, size_t, size_t, void *)) {
    return curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, f);
}
static inline CURLcode regie_curl_get_long(CURL *c, CURLINFO i, long *v) { return curl_easy_getinfo(c, i, v); }
static inline CURLcode regie_curl_get_double(CURL *c, CURLINFO i, double *v) { return curl_easy_getinfo(c, i, v); }
static inline CURLcode regie_curl_get_pointer(CURL *c, CURLINFO i, void **v) { return curl_easy_getinfo(c, i, v); }
static inline CURLcode regie_curl_get_off_t(CURL *c, CURLINFO i, curl_off_t *v) { return curl_easy_getinfo(c, i, v); }
static inline CURLcode regie_curl_set_off_t(CURL *c, CURLoption o, curl_off_t v) { return curl_easy_setopt(c, o, v); }
// The result of a finished transfer sits in a union, which is clearer to read here.
static inline CURLcode regie_curl_message_result(const CURLMsg *m) { return m->data.result; }
static inline CURLMcode regie_curl_multi_set_long(CURLM *m, CURLMoption o, long v) {
    return curl_multi_setopt(m, o, v);
}
#endif
