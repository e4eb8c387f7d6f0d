// hetmod/core/version.hpp -- library version (semantic versioning; SOVERSION = major).
#pragma once
#define HETMOD_VERSION_MAJOR 0
#define HETMOD_VERSION_MINOR 1
#define HETMOD_VERSION_PATCH 0
#define HETMOD_VERSION_STRING "0.1.0"
