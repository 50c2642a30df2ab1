# ignite_embed_files(TARGET_SOURCE_VAR OUTPUT NAMESPACE VARIABLE BASE_DIR FILES...)
# Generates OUTPUT, a C++ source defining
#   const std::vector<ignite::EmbeddedFile>& NAMESPACE::VARIABLE();
# holding each file's path (relative to BASE_DIR), bytes and owner-exec bit, regenerated whenever a
# file changes. Used to carry the runtime host inside the binary, so the host layer is fixed by the
# builder's version and no install path has to be found at run time.
function(ignite_embed_files out_var output namespace variable base_dir)
  set(files ${ARGN})
  add_custom_command(
    OUTPUT ${output}
    COMMAND ${CMAKE_COMMAND} -DOUTPUT=${output} -DNAMESPACE=${namespace} -DVARIABLE=${variable}
            -DBASE_DIR=${base_dir} "-DFILES=${files}" -P ${PROJECT_SOURCE_DIR}/cmake/EmbedFilesScript.cmake
    DEPENDS ${files} ${PROJECT_SOURCE_DIR}/cmake/EmbedFilesScript.cmake
    COMMENT "Embedding ${variable}"
    VERBATIM)
  set(${out_var} ${output} PARENT_SCOPE)
endfunction()
