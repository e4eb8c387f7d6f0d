# hetmod_warnings(target): the project's warning set; -Werror when HETMOD_WERROR is ON.
function(hetmod_warnings target)
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -Wnon-virtual-dtor -Woverloaded-virtual>
    $<$<COMPILE_LANGUAGE:C>:-Wall -Wextra -Wpedantic>)
  if(HETMOD_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
