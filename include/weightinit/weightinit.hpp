// weightinit/weightinit.hpp: the whole public API in one include.
#pragma once

#include "weightinit/config.hpp"
#include "weightinit/error.hpp"
#include "weightinit/fans.hpp"
#include "weightinit/fill.hpp"
#include "weightinit/gains.hpp"
#include "weightinit/initializers.hpp"
#include "weightinit/model.hpp"
#include "weightinit/philox.hpp"
#include "weightinit/presets.hpp"
#include "weightinit/resolve.hpp"
#include "weightinit/rules.hpp"
#include "weightinit/shard.hpp"
#include "weightinit/spec.hpp"
#include "weightinit/types.hpp"
