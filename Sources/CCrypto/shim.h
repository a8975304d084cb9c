#ifndef REGIE_CCRYPTO_SHIM_H
#define REGIE_CCRYPTO_SHIM_H
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
// EVP_PKEY_PUBLIC_KEY is a macro of macros, which Swift does not import.
static inline int regie_evp_pkey_public_key(void) { return EVP_PKEY_PUBLIC_KEY; }
#endif
