#include "hetmod/core/error.hpp"

namespace hetmod {

const char* status_string(Status s) noexcept {
  switch (s) {
    case Status::ok: return "ok";
    case Status::invalid_argument: return "invalid argument";
    case Status::domain: return "domain error";
    case Status::numerical: return "numerical error";
    case Status::interrupted: return "interrupted";
    case Status::buffer_too_small: return "buffer too small";
    case Status::not_found: return "not found";
    case Status::unsupported: return "unsupported";
    case Status::internal: return "internal error";
  }
  return "unknown status";
}

}  // namespace hetmod
