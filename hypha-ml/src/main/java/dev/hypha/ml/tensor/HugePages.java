package dev.hypha.ml.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.foreign.SymbolLookup;
import java.util.Locale;

/**
 * Off-heap allocations for weights, backed by transparent huge pages where Linux offers them.
 *
 * <p>Why: the kernels stream hundreds of megabytes per generated token. With 4 KiB pages every 4 KiB costs a TLB
 * miss and a page walk, which measurably caps one core's bandwidth (about 18 vs 24 G weights/s for Q4_0 on the
 * 2-core test machine). Linux's default THP mode is {@code madvise}, so the memory has to ask, before it is first
 * touched: this maps anonymous memory with {@code mmap}, calls {@code madvise(MADV_HUGEPAGE)} on it and unmaps it when
 * the arena closes, through the FFM API. No Java library does this: the JVM's {@code -XX:+UseTransparentHugePages}
 * covers only its heap, and {@link Arena#allocate} zeroes (touches) memory before anyone could advise it. Where the
 * calls are not available (another OS, native access denied, mmap failing) memory comes from the arena as usual.
 *
 * <p>Cost: where memory is fragmented (a busy page cache), the kernel compacts memory to find each 2 MiB page, which
 * made loading a 450 MiB model take ~3 s instead of ~1.4 s here; generation gained ~5% with two threads (~30% for one
 * thread's bandwidth). {@code -Dhypha.ml.hugePages=false} (e.g. through {@code JAVA_TOOL_OPTIONS}) trades back.
 */
public final class HugePages {
    private HugePages() {}

    private static final long HUGE = 2L << 20;
    private static final int PROT_READ_WRITE = 0x1 | 0x2;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20;
    private static final int MADV_HUGEPAGE = 14;
    /** {@code -Dhypha.ml.hugePages=false} turns huge pages off (loading is then faster, generation slower). */
    private static final boolean ENABLED = !"false".equalsIgnoreCase(System.getProperty("hypha.ml.hugePages", "true").strip());
    private static final Native NATIVE = ENABLED ? Native.find() : null;

    private record Native(MethodHandle mmap, MethodHandle madvise, MethodHandle munmap) {
        static Native find() {
            if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
                return null;
            }
            try {
                Linker linker = Linker.nativeLinker();
                SymbolLookup libc = linker.defaultLookup();
                return new Native(
                        linker.downcallHandle(libc.find("mmap").orElseThrow(), FunctionDescriptor.of(ValueLayout.ADDRESS,
                                ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                                ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG)),
                        linker.downcallHandle(libc.find("madvise").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                                ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT)),
                        linker.downcallHandle(libc.find("munmap").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                                ValueLayout.ADDRESS, ValueLayout.JAVA_LONG)));
            } catch (RuntimeException e) {
                // IllegalCallerException when native access is denied; NoSuchElementException without the symbols
                return null;
            }
        }
    }

    /** Virtual size of one slab mapping: only the pages actually used become resident. */
    private static final long SLAB = 1L << 30;

    /**
     * An allocator for many weight matrices that live as long as {@code arena}: bump allocation inside large huge-page
     * mappings. One mapping per matrix would leave a partly used 2 MiB page at the end of each (a 0.84B model has
     * ~110 matrices: ~90 MiB resident for nothing); here only the end of the last slab is partly used. Memory is
     * zeroed (fresh anonymous pages). Thread-safe.
     */
    public static SegmentAllocator slab(Arena arena) {
        if (NATIVE == null) {
            // without mmap a slab would be real, zeroed memory: allocate each matrix exactly instead
            return arena;
        }
        return new SegmentAllocator() {
            private MemorySegment slab = MemorySegment.NULL;
            private long used;

            @Override
            public synchronized MemorySegment allocate(long size, long alignment) {
                long start = (used + alignment - 1) / alignment * alignment;
                if (slab.byteSize() == 0 || start + size > slab.byteSize()) {
                    slab = HugePages.allocate(arena, Math.max(size, SLAB));
                    start = 0;
                }
                used = start + size;
                return slab.asSlice(start, size);
            }
        };
    }

    /** {@code size} bytes of zeroed memory that lives as long as {@code arena}, 64-byte aligned, on huge pages if possible. */
    static MemorySegment allocate(Arena arena, long size) {
        if (size < HUGE || NATIVE == null) {
            return arena.allocate(size, 64);
        }
        // one extra huge page so that an aligned run of whole huge pages fits inside the mapping
        long mapped = Math.addExact(Math.multiplyExact((size + HUGE - 1) / HUGE, HUGE), HUGE);
        MemorySegment raw;
        try {
            raw = (MemorySegment) NATIVE.mmap().invokeExact(MemorySegment.NULL, mapped, PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS, -1, 0L);
        } catch (Throwable e) {
            return arena.allocate(size, 64);
        }
        if (raw.address() == -1L) {
            return arena.allocate(size, 64);
        }
        MemorySegment whole = raw.reinterpret(mapped, arena, HugePages::unmap);
        long skip = (HUGE - whole.address() % HUGE) % HUGE;
        try {
            // advisory: if the kernel declines, the pages are normal ones
            int ignored = (int) NATIVE.madvise().invokeExact(whole.asSlice(skip), mapped - skip, MADV_HUGEPAGE);
        } catch (Throwable e) {
            // normal pages are a correct fallback
        }
        return whole.asSlice(skip, size);
    }

    private static void unmap(MemorySegment whole) {
        try {
            int ignored = (int) NATIVE.munmap().invokeExact(whole, whole.byteSize());
        } catch (Throwable e) {
            throw new IllegalStateException("munmap failed", e);
        }
    }
}
