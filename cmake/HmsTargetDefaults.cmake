# Compiler settings every HMS target gets, and the one-line test registration.

function(hms_target_defaults target)
    target_compile_definitions(${target} PRIVATE
        QT_NO_KEYWORDS QT_NO_FOREACH
        QT_NO_CAST_TO_ASCII QT_RESTRICTED_CAST_FROM_ASCII
        QT_NO_CAST_FROM_BYTEARRAY QT_NO_URL_CAST_FROM_STRING
        QT_USE_QSTRINGBUILDER QT_NO_NARROWING_CONVERSIONS_IN_CONNECT
        QT_MESSAGELOGCONTEXT QT_DISABLE_DEPRECATED_BEFORE=0x060400)
    target_compile_options(${target} PRIVATE
        -Wall -Wextra -Wpedantic -Wnon-virtual-dtor -Woverloaded-virtual
        -Werror=return-type -Werror=switch $<$<BOOL:${HMS_WERROR}>:-Werror>)
endfunction()

# hms_add_test(NAME server.Router SOURCES tests/unit/server/tst_router.cpp
#              LIBRARIES hms_server_core LABELS unit [TIMEOUT 120])
function(hms_add_test)
    cmake_parse_arguments(arg "" "NAME;TIMEOUT" "SOURCES;LIBRARIES;LABELS" ${ARGN})
    string(REPLACE "." "_" target "tst_${arg_NAME}")
    add_executable(${target} ${arg_SOURCES})
    set_target_properties(${target} PROPERTIES RUNTIME_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/tests")
    target_link_libraries(${target} PRIVATE Qt6::Test ${arg_LIBRARIES})
    target_compile_definitions(${target} PRIVATE QT_FORCE_ASSERTS HMS_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
    hms_target_defaults(${target})
    add_test(NAME ${arg_NAME} COMMAND ${target})
    if(NOT arg_TIMEOUT)
        set(arg_TIMEOUT 300)
    endif()
    set_tests_properties(${arg_NAME} PROPERTIES
        LABELS "${arg_LABELS}"
        TIMEOUT ${arg_TIMEOUT}
        ENVIRONMENT "QT_QPA_PLATFORM=offscreen;HMS_FATAL_ASSERTS=1;HMS_BIN_DIR=${CMAKE_BINARY_DIR}/bin")
endfunction()
