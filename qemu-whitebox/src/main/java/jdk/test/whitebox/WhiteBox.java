package jdk.test.whitebox;

/**
 * HotSpot's WhiteBox API, as far as the translator needs it: ask the JIT to compile a method at a
 * chosen tier, and see its level and queue.
 *
 * <p>Why this name and this shape: HotSpot binds the WhiteBox natives only to a class of exactly
 * this name, loaded by the boot class loader ({@code -Xbootclasspath/a:}), with
 * {@code -XX:+UnlockDiagnosticVMOptions -XX:+WhiteBoxAPI}; its {@code registerNatives} then
 * registers every native of the VM's table by name and signature, and prints a line on the JVM's
 * tty (the guest's stdout) for each one the class does not declare. So the class declares all of
 * them: the few the translator calls are public, the rest private and never called. The list is
 * the table of this JDK (25.0.3): the VM names each missing one with its signature when it is
 * left out ({@code WhiteBoxBindingTest} checks that stdout stays empty). Without those options, or
 * loaded by another loader, nothing is bound and every call throws {@link UnsatisfiedLinkError}:
 * {@code org.qemu.common.jit.HotSpotCompileRequests} then asks for nothing.
 *
 * <p>The natives are declared static (the VM's functions ignore their receiver argument), so the
 * class needs no instance.
 */
public final class WhiteBox {
    private WhiteBox() {
    }

    private static native void registerNatives();

    static {
        registerNatives();
    }

    public static native boolean isMethodCompilable0(java.lang.reflect.Executable method, int level, boolean osr);
    public static native boolean isMethodQueuedForCompilation0(java.lang.reflect.Executable method);
    public static native int getMethodCompilationLevel0(java.lang.reflect.Executable method, boolean osr);
    public static native int getCompileQueueSize(int level);
    public static native boolean enqueueMethodForCompilation0(java.lang.reflect.Executable method, int level, int entryBci);
    public static native void markMethodProfiled(java.lang.reflect.Executable method);
    public static native int getCompilationActivityMode();

    // The rest of the VM's table: declared so that registration prints nothing; never called.
    private static native long getObjectAddress0(Object a0);
    private static native long getObjectSize0(Object a0);
    private static native boolean isObjectInOldGen0(Object a0);
    private static native int getHeapOopSize();
    private static native int getVMPageSize();
    private static native long getVMAllocationGranularity();
    private static native long getVMLargePageSize();
    private static native long getHeapSpaceAlignment();
    private static native long getHeapAlignment();
    private static native boolean hasExternalSymbolsStripped();
    private static native int countAliveClasses0(String a0);
    private static native int getSymbolRefcount(String a0);
    private static native Object[] parseCommandLine0(String a0, char a1, jdk.test.whitebox.parser.DiagnosticCommand[] a2);
    private static native void addToBootstrapClassLoaderSearch0(String a0);
    private static native void addToSystemClassLoaderSearch0(String a0);
    private static native long getCompressedOopsMaxHeapSize();
    private static native void printHeapSizes();
    private static native void readFromNoaccessArea();
    private static native void decodeNKlassAndAccessKlass(int a0);
    private static native int stressVirtualSpaceResize(long a0, long a1, long a2);
    private static native int getCDSOffsetForName0(String a0);
    private static native int getCDSConstantForName0(String a0);
    private static native boolean g1InConcurrentMark();
    private static native int g1CompletedConcurrentMarkCycles();
    private static native boolean g1IsHumongous0(Object a0);
    private static native boolean g1BelongsToHumongousRegion0(long a0);
    private static native boolean g1BelongsToFreeRegion0(long a0);
    private static native long g1NumMaxRegions();
    private static native long g1NumFreeRegions();
    private static native int g1RegionSize();
    private static native boolean g1HasRegionsToUncommit();
    private static native java.lang.management.MemoryUsage g1AuxiliaryMemoryUsage();
    private static native int g1ActiveMemoryNodeCount();
    private static native int[] g1MemoryNodeIds();
    private static native long[] g1GetMixedGCInfo(int a0);
    private static native long psVirtualSpaceAlignment();
    private static native long psHeapGenerationAlignment();
    private static native long NMTMalloc(long a0);
    private static native long NMTMallocWithPseudoStack(long a0, int a1);
    private static native long NMTMallocWithPseudoStackAndType(long a0, int a1, int a2);
    private static native void NMTFree(long a0);
    private static native long NMTReserveMemory(long a0);
    private static native long NMTAttemptReserveMemoryAt(long a0, long a1);
    private static native void NMTCommitMemory(long a0, long a1);
    private static native void NMTUncommitMemory(long a0, long a1);
    private static native void NMTReleaseMemory(long a0, long a1);
    private static native int NMTGetHashSize();
    private static native long NMTNewArena(long a0);
    private static native void NMTFreeArena(long a0);
    private static native void NMTArenaMalloc(long a0, long a1);
    private static native int deoptimizeFrames(boolean a0);
    private static native boolean isFrameDeoptimized(int a0);
    private static native void deoptimizeAll();
    private static native int deoptimizeMethod0(java.lang.reflect.Executable a0, boolean a1);
    private static native boolean isMethodCompiled0(java.lang.reflect.Executable a0, boolean a1);
    private static native boolean isIntrinsicAvailable0(java.lang.reflect.Executable a0, java.lang.reflect.Executable a1, int a2);
    private static native void makeMethodNotCompilable0(java.lang.reflect.Executable a0, int a1, boolean a2);
    private static native boolean testSetDontInlineMethod0(java.lang.reflect.Executable a0, boolean a1);
    private static native int getMethodDecompileCount0(java.lang.reflect.Executable a0);
    private static native int getMethodTrapCount0(java.lang.reflect.Executable a0, String a1);
    private static native int getDeoptCount0(String a0, String a1);
    private static native int getMethodEntryBci0(java.lang.reflect.Executable a0);
    private static native boolean testSetForceInlineMethod0(java.lang.reflect.Executable a0, boolean a1);
    private static native boolean enqueueInitializerForCompilation0(Class a0, int a1);
    private static native void clearMethodState0(java.lang.reflect.Executable a0);
    private static native void lockCompilation();
    private static native void unlockCompilation();
    private static native int matchesMethod(java.lang.reflect.Executable a0, String a1);
    private static native int matchesInline(java.lang.reflect.Executable a0, String a1);
    private static native boolean shouldPrintAssembly(java.lang.reflect.Executable a0, int a1);
    private static native boolean isConstantVMFlag(String a0);
    private static native boolean isDefaultVMFlag(String a0);
    private static native boolean isLockedVMFlag(String a0);
    private static native void setBooleanVMFlag(String a0, boolean a1);
    private static native void setIntVMFlag(String a0, long a1);
    private static native void setUintVMFlag(String a0, long a1);
    private static native void setIntxVMFlag(String a0, long a1);
    private static native void setUintxVMFlag(String a0, long a1);
    private static native void setUint64VMFlag(String a0, long a1);
    private static native void setSizeTVMFlag(String a0, long a1);
    private static native void setDoubleVMFlag(String a0, double a1);
    private static native void setStringVMFlag(String a0, String a1);
    private static native Boolean getBooleanVMFlag(String a0);
    private static native Long getIntVMFlag(String a0);
    private static native Long getUintVMFlag(String a0);
    private static native Long getIntxVMFlag(String a0);
    private static native Long getUintxVMFlag(String a0);
    private static native Long getUint64VMFlag(String a0);
    private static native Long getSizeTVMFlag(String a0);
    private static native Double getDoubleVMFlag(String a0);
    private static native String getStringVMFlag(String a0);
    private static native boolean isInStringTable(String a0);
    private static native void fullGC();
    private static native void youngGC();
    private static native void readReservedMemory();
    private static native long allocateMetaspace(ClassLoader a0, long a1);
    private static native long incMetaspaceCapacityUntilGC(long a0);
    private static native long metaspaceCapacityUntilGC();
    private static native long metaspaceSharedRegionAlignment();
    private static native String getCPUFeatures();
    private static native Object[] getNMethod0(java.lang.reflect.Executable a0, boolean a1);
    private static native long allocateCodeBlob(int a0, int a1);
    private static native void freeCodeBlob(long a0);
    private static native Object[] getCodeHeapEntries(int a0);
    private static native long getMethodData0(java.lang.reflect.Executable a0);
    private static native Object[] getCodeBlob(long a0);
    private static native long getThreadStackSize();
    private static native long getThreadRemainingStackSize();
    private static native void DefineModule(Object a0, boolean a1, String a2, String a3, Object[] a4);
    private static native void AddModuleExports(Object a0, String a1, Object a2);
    private static native void AddReadsModule(Object a0, Object a1);
    private static native void AddModuleExportsToAllUnnamed(Object a0, String a1);
    private static native void AddModuleExportsToAll(Object a0, String a1);
    private static native boolean deflateIdleMonitors();
    private static native boolean isMonitorInflated0(Object a0);
    private static native boolean isAsanEnabled();
    private static native boolean isUbsanEnabled();
    private static native long getInUseMonitorCount();
    private static native int getLockStackCapacity();
    private static native boolean supportsRecursiveLightweightLocking();
    private static native void forceSafepoint();
    private static native void forceClassLoaderStatsSafepoint();
    private static native long getConstantPool0(Class a0);
    private static native Object[] getResolvedReferences0(Class a0);
    private static native int getFieldEntriesLength0(Class a0);
    private static native int getFieldCPIndex0(Class a0, int a1);
    private static native int getMethodEntriesLength0(Class a0);
    private static native int getMethodCPIndex0(Class a0, int a1);
    private static native int getIndyInfoLength0(Class a0);
    private static native int getIndyCPIndex0(Class a0, int a1);
    private static native String printClasses0(String a0, int a1);
    private static native String printMethods0(String a0, String a1, int a2);
    private static native Boolean getMethodBooleanOption(java.lang.reflect.Executable a0, String a1);
    private static native Long getMethodIntxOption(java.lang.reflect.Executable a0, String a1);
    private static native Long getMethodUintxOption(java.lang.reflect.Executable a0, String a1);
    private static native Double getMethodDoubleOption(java.lang.reflect.Executable a0, String a1);
    private static native String getMethodStringOption(java.lang.reflect.Executable a0, String a1);
    private static native String getDefaultArchivePath();
    private static native int getCDSGenericHeaderMinVersion();
    private static native int getCurrentCDSVersion();
    private static native boolean isSharingEnabled();
    private static native boolean isSharedInternedString(String a0);
    private static native boolean isSharedClass(Class a0);
    private static native boolean areSharedStringsMapped();
    private static native void linkClass(Class a0);
    private static native boolean areOpenArchiveHeapObjectsMapped();
    private static native boolean isCDSIncluded();
    private static native boolean isJFRIncluded();
    private static native boolean isDTraceIncluded();
    private static native boolean hasLibgraal();
    private static native boolean isC2OrJVMCIIncluded();
    private static native boolean isJVMCISupportedByGC();
    private static native boolean canWriteJavaHeapArchive();
    private static native boolean cdsMemoryMappingFailed();
    private static native void clearInlineCaches0(boolean a0);
    private static native boolean handshakeReadMonitors(Thread a0);
    private static native int handshakeWalkStack(Thread a0, boolean a1);
    private static native void asyncHandshakeWalkStack(Thread a0);
    private static native void lockAndBlock(boolean a0);
    private static native void checkThreadObjOfTerminatingThread(Thread a0);
    private static native void verifyFrames(boolean a0, boolean a1);
    private static native int addCompilerDirective(String a0);
    private static native void removeCompilerDirective(int a0);
    private static native boolean isGCSupported(int a0);
    private static native boolean isGCSupportedByJVMCICompiler(int a0);
    private static native boolean isGCSelected(int a0);
    private static native boolean isGCSelectedErgonomically();
    private static native boolean supportsConcurrentGCBreakpoints();
    private static native void concurrentGCAcquireControl0();
    private static native void concurrentGCReleaseControl0();
    private static native void concurrentGCRunToIdle0();
    private static native boolean concurrentGCRunTo0(String a0);
    private static native boolean checkLibSpecifiesNoexecstack(String a0);
    private static native boolean isContainerized();
    private static native int validateCgroup(boolean a0, String a1, String a2, String a3);
    private static native long hostPhysicalMemory();
    private static native long hostPhysicalSwap();
    private static native long hostAvailableMemory();
    private static native int hostCPUs();
    private static native void printOsInfo();
    private static native void disableElfSectionCache();
    private static native long resolvedMethodItemsCount();
    private static native int getKlassMetadataSize(Class a0);
    private static native long createMetaspaceTestContext(long a0, long a1);
    private static native void destroyMetaspaceTestContext(long a0);
    private static native void purgeMetaspaceTestContext(long a0);
    private static native void printMetaspaceTestContext(long a0);
    private static native long getTotalCommittedBytesInMetaspaceTestContext(long a0);
    private static native long getTotalUsedBytesInMetaspaceTestContext(long a0);
    private static native long createArenaInTestContext(long a0, boolean a1);
    private static native void destroyMetaspaceTestArena(long a0);
    private static native long allocateFromMetaspaceTestArena(long a0, long a1);
    private static native void deallocateToMetaspaceTestArena(long a0, long a1, long a2);
    private static native long maxMetaspaceAllocationSize();
    private static native boolean isJVMTIIncluded();
    private static native void waitUnsafe(int a0);
    private static native void busyWaitCPUTime(int a0);
    private static native boolean cpuSamplerSetOutOfStackWalking(boolean a0);
    private static native String getLibcName();
    private static native void pinObject(Object a0);
    private static native void unpinObject(Object a0);
    private static native boolean setVirtualThreadsNotifyJvmtiMode(boolean a0);
    private static native void preTouchMemory(long a0, long a1);
    private static native void cleanMetaspaces();
    private static native long rss();
    private static native String printString(String a0, int a1);
    private static native void lockAndStuckInSafepoint();
    private static native long getMinimumJavaStackSize();
    private static native long wordSize();
    private static native long rootChunkWordSize();
    private static native boolean isStatic();
}
