// weightinit/weightinit.hpp: the whole public API in one include.
#pragma once

#include "weightinit/config.hpp"
#include "weightinit/error.hpp"
#include "weightinit/fill.hpp"
#include "weightinit/philox.hpp"
#include "weightinit/schemes.hpp"
#include "weightinit/types.hpp"
#include "weightinit/spec.hpp"
