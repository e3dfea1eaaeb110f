# embed-list.cmake: turn a one-entry-per-line text list into a C source file holding a
# sorted, deduplicated `const char *const` array, for bsearch() with strcmp().
#
#   cmake -DINPUT=list.txt -DOUTPUT=list.c -DARRAY=name [-DINCLUDE=dir/header.h] -P embed-list.cmake
#
# Input rules: printable ASCII only (the script fails otherwise), one entry per line, lines
# starting with '#' are comments, empty lines are skipped, CR before LF is ignored. Entries are
# lowercased. The output also defines `const size_t <ARRAY>_count`. When INCLUDE is given the
# file #includes it, so the compiler checks the definitions against the header's declarations.
#
# How: CMake lists are split on ';' and '[' ']' suppress splitting, so every character that is
# special to CMake lists or to C string literals ( \ " ; [ ] ? ) is first replaced by its C
# octal escape; each line then becomes a safe list element and a ready C literal. For sorting,
# each element is prefixed with the hex of its real bytes (restored from the escapes) and a
# space: two hex digits per byte and ' ' sorting before every digit make the string order of
# the prefixed elements exactly the byte order strcmp() uses. '?' is escaped so that no
# trigraph can appear in the output.
cmake_minimum_required(VERSION 3.18)

foreach(var INPUT OUTPUT ARRAY)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "embed-list.cmake: -D${var}=... is required")
  endif()
endforeach()
if(NOT ARRAY MATCHES "^[A-Za-z_][A-Za-z0-9_]*$")
  message(FATAL_ERROR "embed-list.cmake: ARRAY '${ARRAY}' is not a C identifier")
endif()

file(READ "${INPUT}" content)
string(REGEX MATCH "[^\n\r -~]" bad "${content}")
if(NOT bad STREQUAL "")
  message(FATAL_ERROR "embed-list.cmake: ${INPUT} holds a byte that is not printable ASCII")
endif()

# Backslash first, so that the backslashes of later escapes are not escaped again.
string(REPLACE "\\" "\\134" content "${content}")
string(REPLACE "\"" "\\042" content "${content}")
string(REPLACE ";" "\\073" content "${content}")
string(REPLACE "?" "\\077" content "${content}")
string(REPLACE "[" "\\133" content "${content}")
string(REPLACE "]" "\\135" content "${content}")
string(REPLACE "\r" "" content "${content}")
string(TOLOWER "${content}" content)
string(REPLACE "\n" ";" lines "${content}")

# Appending to one long string copies it every time: gather entries in short chunks instead.
set(items "")
set(chunk "")
foreach(line IN LISTS lines)
  if(line STREQUAL "" OR line MATCHES "^#")
    continue()
  endif()
  # Undo the escapes in reverse order; every backslash left starts an escape, so this is exact.
  string(REPLACE "\\135" "]" real "${line}")
  string(REPLACE "\\133" "[" real "${real}")
  string(REPLACE "\\077" "?" real "${real}")
  string(REPLACE "\\073" ";" real "${real}")
  string(REPLACE "\\042" "\"" real "${real}")
  string(REPLACE "\\134" "\\" real "${real}")
  string(HEX "${real}" key)
  string(APPEND chunk "${key} ${line};")
  string(LENGTH "${chunk}" chunk_length)
  if(chunk_length GREATER 8192)
    string(APPEND items "${chunk}")
    set(chunk "")
  endif()
endforeach()
string(APPEND items "${chunk}")
string(REGEX REPLACE ";$" "" items "${items}")
list(REMOVE_DUPLICATES items)
list(SORT items COMPARE STRING)
list(LENGTH items count)
if(count EQUAL 0)
  message(FATAL_ERROR "embed-list.cmake: ${INPUT} holds no entries")
endif()

get_filename_component(input_name "${INPUT}" NAME)
set(out "/* Generated from ${input_name} by scripts/embed-list.cmake: do not edit. */\n")
string(APPEND out "#include <stddef.h>\n")
if(DEFINED INCLUDE AND NOT INCLUDE STREQUAL "")
  string(APPEND out "#include \"${INCLUDE}\"\n")
endif()
string(APPEND out "\n/* ${count} entries, lowercased, in strcmp() order. */\n")
string(APPEND out "const char *const ${ARRAY}[] = {\n")
set(chunk "")
foreach(item IN LISTS items)
  string(FIND "${item}" " " space)
  math(EXPR start "${space} + 1")
  string(SUBSTRING "${item}" ${start} -1 literal)
  string(APPEND chunk "    \"${literal}\",\n")
  string(LENGTH "${chunk}" chunk_length)
  if(chunk_length GREATER 8192)
    string(APPEND out "${chunk}")
    set(chunk "")
  endif()
endforeach()
string(APPEND out "${chunk}")
string(APPEND out "};\n\n")
string(APPEND out "const size_t ${ARRAY}_count = sizeof ${ARRAY} / sizeof ${ARRAY}[0];\n")

get_filename_component(output_dir "${OUTPUT}" DIRECTORY)
file(MAKE_DIRECTORY "${output_dir}")
file(WRITE "${OUTPUT}" "${out}")
