# One static library per layer (docs/ARCHITECTURE.md). Each layer's headers are reachable
# only through its own include root, a folder in the build tree holding one link named after
# the layer (build/include/<layer>/<layer> -> the layer's sources). A library sees the roots
# of the layers it links and no others, so `#include "jobs/RunQueue.h"` from core/analysis
# fails to compile instead of quietly creating an upward dependency.

set(CKPTLAB_INCLUDE_ROOTS "${CMAKE_BINARY_DIR}/include")

# ckptlab_add_layer(NAME SOURCE_DIR DIR SOURCES ... [PUBLIC_LIBS ...] [PRIVATE_LIBS ...])
# creates ckptlab_<NAME>; sources are listed explicitly, relative to DIR.
function(ckptlab_add_layer name)
  cmake_parse_arguments(L "" "DIR" "SOURCES;PUBLIC_LIBS;PRIVATE_LIBS" ${ARGN})
  set(sources "")
  foreach(s ${L_SOURCES})
    list(APPEND sources "${L_DIR}/${s}")
  endforeach()
  add_library(ckptlab_${name} STATIC ${sources})
  set(root "${CKPTLAB_INCLUDE_ROOTS}/${name}")
  file(MAKE_DIRECTORY "${root}")
  file(CREATE_LINK "${L_DIR}" "${root}/${name}" SYMBOLIC)
  target_include_directories(ckptlab_${name} PUBLIC "${root}")
  target_link_libraries(ckptlab_${name} PUBLIC ${L_PUBLIC_LIBS} PRIVATE ${L_PRIVATE_LIBS})
endfunction()
