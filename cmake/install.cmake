# `cmake --install`: the digitnet command, its bundled MNIST, the headers, the static and the
# shared library, a CMake package (find_package(digitnet) → digitnet::digitnet, digitnet::shared;
# find_package(digitnet COMPONENTS onnx) adds digitnet::onnx, ONNX export and import, which needs
# Debian's libonnx-dev and libprotobuf-dev) and a pkg-config file. Every flag a consumer needs travels with the targets (see
# digitnet_usage in CMakeLists.txt); nothing depends on the consumer's -march.
include(CMakePackageConfigHelpers)

set(DIGITNET_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/digitnet)
set(digitnet_install_targets digitnet_lib)
if(TARGET digitnet_shared)
  list(APPEND digitnet_install_targets digitnet_shared)
endif()
install(TARGETS digitnet RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS ${digitnet_install_targets} EXPORT digitnetTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS digitnet_onnx EXPORT digitnetOnnxTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
set_target_properties(digitnet_onnx PROPERTIES OUTPUT_NAME digitnet_onnx EXPORT_NAME onnx)
install(DIRECTORY include/digitnet DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES data/mnist/train-images-idx3-ubyte.gz data/mnist/train-labels-idx1-ubyte.gz
              data/mnist/t10k-images-idx3-ubyte.gz data/mnist/t10k-labels-idx1-ubyte.gz
              data/mnist/SHA256SUMS data/mnist/README.md
        DESTINATION ${CMAKE_INSTALL_DATADIR}/digitnet/mnist)
install(EXPORT digitnetTargets NAMESPACE digitnet:: DESTINATION ${DIGITNET_CMAKE_DIR})
install(EXPORT digitnetOnnxTargets NAMESPACE digitnet:: DESTINATION ${DIGITNET_CMAKE_DIR})
configure_package_config_file(cmake/digitnetConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/digitnetConfig.cmake INSTALL_DESTINATION ${DIGITNET_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/digitnetConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/digitnetConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/digitnetConfigVersion.cmake
        DESTINATION ${DIGITNET_CMAKE_DIR})
file(RELATIVE_PATH DIGITNET_PC_TO_PREFIX /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
configure_file(cmake/digitnet.pc.in ${CMAKE_CURRENT_BINARY_DIR}/digitnet.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/digitnet.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
