// Owning pointers for the OpenSSL objects builder/attest/ uses, freed however a function
// returns. Internal to builder/attest/.
#pragma once

#include <openssl/bio.h>
#include <openssl/evp.h>

#include <memory>
#include <string>

namespace ignite::attest {

template <auto Free>
struct OpenSslFree {
  template <typename T>
  void operator()(T* p) const {
    Free(p);
  }
};

using BioPtr = std::unique_ptr<BIO, OpenSslFree<BIO_free_all>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslFree<EVP_PKEY_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, OpenSslFree<EVP_MD_CTX_free>>;

// OpenSSL's queued errors as one line ("error:…:bad decrypt"), the queue emptied: the reason
// for an error message, never holding key material (OpenSSL's reasons are fixed strings).
std::string take_openssl_errors();

}  // namespace ignite::attest
