/* The boot shim: from GRUB's 32-bit protected mode to the stage's 64-bit C++ entry.
 *
 * GRUB (multiboot2 specification, section 3.3 "I386 machine state") jumps to _start with
 *   EAX = 0x36d76289, EBX = physical address of the boot information, paging off,
 *   interrupts off, flat 32-bit segments, and no usable stack.
 * Test kernels can also be started straight by QEMU (-kernel), which speaks the older multiboot
 * (version 1) protocol instead: EAX = 0x2badb002, EBX = multiboot1 information, the rest the
 * same. The shim then first rewrites that information as multiboot2 information (see
 * multiboot1_to_multiboot2), so everything after it sees a multiboot2 boot either way.
 * The shim checks what it relies on (multiboot2, CPUID, long mode), builds the boot page tables,
 * enables long mode and calls
 *     extern "C" [[noreturn]] void kernel_main(std::uint64_t multiboot_info_phys);
 * When a check fails it writes "ERR: <what>" white on red at the top of the VGA screen and halts.
 *
 * Page tables built here (Intel SDM Vol. 3A, 4.5 "4-Level Paging"):
 *   - virtual 0 .. 4 MiB -> physical 0 .. 4 MiB in 4 KiB pages. Page 0 stays unmapped (null
 *     pointer accesses fault), the kernel's text is read-only and executable, its rodata read-only
 *     and not executable, the page below the kernel stack unmapped (the guard page), everything
 *     else writable and not executable;
 *   - virtual PHYSICAL_MEMORY_OFFSET + p -> physical p, writable and not executable, for p from 0
 *     to the end of the highest available RAM in the multiboot2 memory map rounded up to whole
 *     GiB, and at least to 4 GiB (where the firmware and devices live). In 1 GiB pages when CPUID
 *     reports them (up to 512 GiB: one PDPT), else in 2 MiB pages (up to OFFSET_MAX_2MIB_GIBIBYTES:
 *     the page directories are reserved here). The end is stored in boot_physical_memory_mapped.
 * Keep the constants in sync with common/include/boot/boot.h. */

#define MULTIBOOT2_HEADER_MAGIC     0xe85250d6
#define MULTIBOOT2_BOOTLOADER_MAGIC 0x36d76289
#define MULTIBOOT1_HEADER_MAGIC     0x1badb002
#define MULTIBOOT1_BOOTLOADER_MAGIC 0x2badb002
/* Header flags: bit 1, memory information wanted; bit 16, load addresses in the header. */
#define MULTIBOOT1_HEADER_FLAGS     ((1 << 1) | (1 << 16))
#define MULTIBOOT1_INFO_MEMORY_MAP  (1 << 6) /* flags bit: mmap_length and mmap_addr are valid */
#define CONVERTED_MAP_ENTRIES       128      /* room for memory map entries from multiboot1 */

#define PTE_PRESENT   (1 << 0)
#define PTE_WRITABLE  (1 << 1)
#define PTE_HUGE      (1 << 7)
#define PTE_NX_HIGH   0x80000000 /* bit 63 of the entry, as seen in the high double word */

#define CR0_WP        (1 << 16)
#define CR0_PG        (1 << 31)
#define CR4_PAE       (1 << 5)
#define MSR_EFER      0xc0000080
#define EFER_LME      (1 << 8)
#define EFER_NXE      (1 << 11)

#define IDENTITY_PAGES    1024 /* 4 MiB of 4 KiB pages: two page tables */
#define PML4_OFFSET_INDEX 256  /* PHYSICAL_MEMORY_OFFSET = 0xffff800000000000 */
/* The offset map's reach, in GiB: at least the 32-bit physical address space; with 1 GiB pages at
 * most one PDPT's worth; with 2 MiB pages at most as many page directories as are reserved. */
#define OFFSET_MIN_GIBIBYTES      4
#define OFFSET_MAX_1GIB_GIBIBYTES 512
#define OFFSET_MAX_2MIB_GIBIBYTES 64

#define MULTIBOOT2_TAG_END        0
#define MULTIBOOT2_TAG_MEMORY_MAP 6
#define MULTIBOOT2_MEMORY_AVAILABLE 1

#define MULTIBOOT2_HEADER_TAG_FRAMEBUFFER 5
#define MULTIBOOT2_HEADER_TAG_OPTIONAL    1 /* flags bit 0: boot even if it cannot be met */
#define FRAMEBUFFER_WIDTH                 640
#define FRAMEBUFFER_HEIGHT                480
#define FRAMEBUFFER_DEPTH                 32

#define ERROR_ATTRIBUTE   0x4f /* white on red */

/* ---------------------------------------------------------------------------------------------
 * Multiboot2 header (multiboot2 specification, 3.1.1): magic, architecture 0 (i386 protected
 * mode), header length, checksum, then tags. Without an address tag GRUB loads the ELF segments
 * at their physical addresses and enters at the ELF entry point.
 * The framebuffer tag (3.1.10) asks for a 640x480 framebuffer in 32-bit colour, marked optional:
 * a UEFI machine has no VGA text mode, and without the tag GRUB's EFI build hands over no screen
 * at all. Under BIOS, grub.cfg (common/cmake/make_iso.cmake) sets gfxpayload=text, so the VGA
 * text mode stays and the boot information describes it as an EGA text framebuffer. GRUB falls
 * back to another mode when 640x480 is not offered; the kernels draw their 640x400 cell grid at
 * the top left of whatever they get (stage 03's framebuffer.h). */
    .section .multiboot2, "a"
    .balign 8
multiboot2_header:
    .long MULTIBOOT2_HEADER_MAGIC
    .long 0
    .long multiboot2_header_end - multiboot2_header
    .long 0x100000000 - (MULTIBOOT2_HEADER_MAGIC + (multiboot2_header_end - multiboot2_header))
    .balign 8
    .short MULTIBOOT2_HEADER_TAG_FRAMEBUFFER
    .short MULTIBOOT2_HEADER_TAG_OPTIONAL
    .long 20 /* size */
    .long FRAMEBUFFER_WIDTH
    .long FRAMEBUFFER_HEIGHT
    .long FRAMEBUFFER_DEPTH
    .balign 8
    .short 0 /* end tag: type 0, flags 0, size 8 */
    .short 0
    .long 8
multiboot2_header_end:

/* Multiboot (version 1) header (multiboot specification 0.6.96, 3.1), for QEMU's -kernel, which
 * loads multiboot1 kernels without firmware boot menus or GRUB: the workbook's fast path for test
 * kernels. QEMU refuses 64-bit ELF files unless the header says where to load the file (flag bit
 * 16, the "a.out kludge"); it then copies the file from __kernel_start to __load_end as one block
 * and zeroes the rest up to __kernel_end. The linker script keeps the file laid out like memory
 * (file offset = address - constant), which is what makes that copy right. GRUB's multiboot2
 * command ignores this header. */
    .balign 4
multiboot1_header:
    .long MULTIBOOT1_HEADER_MAGIC
    .long MULTIBOOT1_HEADER_FLAGS
    .long -(MULTIBOOT1_HEADER_MAGIC + MULTIBOOT1_HEADER_FLAGS)
    .long multiboot1_header     /* header_addr: where this header lands */
    .long __kernel_start        /* load_addr */
    .long __load_end            /* load_end_addr: the end of what the file holds */
    .long __kernel_end          /* bss_end_addr */
    .long _start                /* entry_addr */

/* ---------------------------------------------------------------------------------------------
 * 32-bit code */
    .section .boot.text, "ax"
    .code32
    .global _start
    .type _start, @function
_start:
    cli
    cld
    mov $__stack_top, %esp
    mov %eax, %edi              /* keep magic and boot information across the checks */
    mov %ebx, %esi

    cmp $MULTIBOOT1_BOOTLOADER_MAGIC, %edi
    jne 1f
    call multiboot1_to_multiboot2
1:
    cmp $MULTIBOOT2_BOOTLOADER_MAGIC, %edi
    jne .Lno_multiboot2

    /* CPUID exists when software can flip EFLAGS.ID (bit 21). */
    pushfl
    pop %eax
    mov %eax, %ecx
    xor $(1 << 21), %eax
    push %eax
    popfl
    pushfl
    pop %eax
    push %ecx
    popfl
    cmp %eax, %ecx
    je .Lno_cpuid

    /* Long mode: CPUID 0x80000001, EDX bit 29 (needs the extended leaf to exist). */
    mov $0x80000000, %eax
    cpuid
    cmp $0x80000001, %eax
    jb .Lno_long_mode
    mov $0x80000001, %eax
    cpuid
    test $(1 << 29), %edx
    jz .Lno_long_mode

    /* 1 GiB pages (EDX bit 26) make the offset map one PDPT, however much memory there is. */
    test $(1 << 26), %edx
    setnz offset_map_1gib_pages
    /* No-execute (EDX bit 20) is used when present; without it pages are simply executable. */
    xor %ebp, %ebp              /* EBP = high double word of NX, or 0 */
    test $(1 << 20), %edx
    jz 1f
    mov $PTE_NX_HIGH, %ebp
1:
    call offset_map_gibibytes
    call build_page_tables

    mov %cr4, %eax
    or $CR4_PAE, %eax
    mov %eax, %cr4

    mov $boot_pml4, %eax
    mov %eax, %cr3

    mov $MSR_EFER, %ecx
    rdmsr
    or $EFER_LME, %eax
    test %ebp, %ebp
    jz 2f
    or $EFER_NXE, %eax
2:
    wrmsr

    /* Paging on (which activates long mode) and write protection for ring 0 too, so that a
     * write to kernel text faults instead of succeeding. */
    mov %cr0, %eax
    or $(CR0_PG | CR0_WP), %eax
    mov %eax, %cr0

    lgdt gdt64_pointer
    ljmp $(gdt64_code - gdt64), $long_mode_start

/* Rewrites multiboot1 information as multiboot2 information, in converted_boot_info: a memory
 * map tag (type 6) holding the multiboot1 map's entries, then the end tag. Both maps use the same
 * entry types (1 = available RAM); a multiboot1 entry is its size (not counting the size field
 * itself), base, length and type, a multiboot2 entry base, length, type and a reserved word. The
 * kernel reads nothing else from the boot information. Without a usable map (flags bit 6 clear,
 * or more than CONVERTED_MAP_ENTRIES entries) the result has no map tag, which the kernel reports
 * as a missing memory map rather than running on part of one.
 * In: ESI = multiboot1 information. Out: EDI = the multiboot2 magic, ESI = the converted
 * information. Clobbers EAX, EBX, ECX, EDX. */
multiboot1_to_multiboot2:
    push %ebp
    mov $converted_boot_info + 8, %edi /* EDI = the memory map tag, after total_size, reserved */
    testl $MULTIBOOT1_INFO_MEMORY_MAP, (%esi)
    jz 4f
    mov 48(%esi), %ebx          /* EBX = first multiboot1 entry (mmap_addr) */
    mov 44(%esi), %ebp
    add %ebx, %ebp              /* EBP = end of the multiboot1 map (+ mmap_length) */
    jc 4f
    lea 16(%edi), %edx          /* EDX = where the next multiboot2 entry goes */
1:
    lea 24(%ebx), %eax
    cmp %ebp, %eax
    ja 3f                       /* no whole entry left: the map is done */
    mov (%ebx), %ecx            /* ECX = this entry's size */
    cmp $20, %ecx
    jb 3f                       /* too small to hold base, length and type */
    cmp $converted_map_end, %edx
    jae 4f                      /* more entries than room: leave the map out */
    mov 4(%ebx), %eax           /* base */
    mov %eax, (%edx)
    mov 8(%ebx), %eax
    mov %eax, 4(%edx)
    mov 12(%ebx), %eax          /* length */
    mov %eax, 8(%edx)
    mov 16(%ebx), %eax
    mov %eax, 12(%edx)
    mov 20(%ebx), %eax          /* type */
    mov %eax, 16(%edx)
    movl $0, 20(%edx)           /* reserved */
    add $24, %edx
    lea 4(%ebx, %ecx), %eax     /* next entry: past the size field and the entry */
    cmp %ebx, %eax
    jbe 3f                      /* wrapped around */
    mov %eax, %ebx
    jmp 1b
3:  /* the map tag's header, then on to the end tag (16 + 24 n bytes keeps it 8-byte aligned) */
    movl $MULTIBOOT2_TAG_MEMORY_MAP, (%edi)
    mov %edx, %eax
    sub %edi, %eax
    mov %eax, 4(%edi)           /* tag size */
    movl $24, 8(%edi)           /* entry size */
    movl $0, 12(%edi)           /* entry version */
    mov %edx, %edi
4:
    movl $MULTIBOOT2_TAG_END, (%edi)
    movl $8, 4(%edi)
    add $8, %edi
    mov $converted_boot_info, %esi
    sub %esi, %edi
    mov %edi, (%esi)            /* total_size */
    movl $0, 4(%esi)
    mov $MULTIBOOT2_BOOTLOADER_MAGIC, %edi
    pop %ebp
    ret

/* How far the offset map must reach: the highest end of an available region in the multiboot2
 * memory map (tag type 6, entries of type 1), in whole GiB rounded up, clamped to what the tables
 * can map. In: ESI = boot information. Out: offset_map_gib, and boot_physical_memory_mapped in
 * bytes. A missing or malformed map (a size running past the information's end) leaves the
 * minimum. Clobbers EAX, EBX, ECX, EDX. */
offset_map_gibibytes:
    push %esi
    push %edi
    push %ebp
    mov $OFFSET_MIN_GIBIBYTES, %ebp /* EBP = GiB to map so far */
    mov (%esi), %edi
    add %esi, %edi              /* EDI = end of the boot information */
    jc 9f
    lea 8(%esi), %ebx           /* EBX = first tag (after total_size and reserved) */
1:  /* EBX = a tag: type, size, contents; tags start 8-byte aligned */
    lea 8(%ebx), %eax
    cmp %edi, %eax
    ja 9f                       /* no room for a tag header */
    mov 4(%ebx), %ecx           /* ECX = the tag's size, header included */
    cmp $8, %ecx
    jb 9f
    lea (%ebx, %ecx), %edx      /* EDX = end of the tag */
    cmp %ebx, %edx
    jb 9f                       /* wrapped around */
    cmp %edi, %edx
    ja 9f                       /* runs past the information */
    cmpl $MULTIBOOT2_TAG_END, (%ebx)
    je 9f
    cmpl $MULTIBOOT2_TAG_MEMORY_MAP, (%ebx)
    jne 5f
    mov 8(%ebx), %ecx           /* ECX = entry size: base (8), length (8), type (4), reserved (4) */
    cmp $24, %ecx
    jb 5f
    lea 16(%ebx), %esi          /* ESI = first entry */
2:
    lea (%esi, %ecx), %eax
    cmp %edx, %eax
    ja 5f                       /* no whole entry left in the tag */
    cmpl $MULTIBOOT2_MEMORY_AVAILABLE, 16(%esi)
    jne 4f
    push %edx
    mov (%esi), %eax
    mov 4(%esi), %edx           /* EDX:EAX = base */
    add 8(%esi), %eax
    adc 12(%esi), %edx          /* + length = end */
    jc 3f                       /* past 2^64: as far as the tables reach */
    add $((1 << 30) - 1), %eax
    adc $0, %edx                /* rounded up to a GiB */
    jc 3f
    shrd $30, %edx, %eax        /* EAX = end in GiB ... */
    shr $30, %edx
    jz 6f                       /* ... unless that needs more than 32 bits */
3:
    mov $0xffffffff, %eax
6:
    pop %edx
    cmp %ebp, %eax
    jbe 4f
    mov %eax, %ebp
4:
    add %ecx, %esi
    jmp 2b
5:  /* next tag: the size rounded up to 8 */
    mov 4(%ebx), %ecx
    add $7, %ecx
    and $~7, %ecx
    add %ecx, %ebx
    jc 9f
    jmp 1b
9:
    mov $OFFSET_MAX_2MIB_GIBIBYTES, %eax
    cmpb $0, offset_map_1gib_pages
    je 7f
    mov $OFFSET_MAX_1GIB_GIBIBYTES, %eax
7:
    cmp %eax, %ebp
    jbe 8f
    mov %eax, %ebp
8:
    mov %ebp, offset_map_gib
    mov %ebp, %eax
    shl $30, %eax
    mov %eax, boot_physical_memory_mapped
    mov %ebp, %eax
    shr $2, %eax
    mov %eax, boot_physical_memory_mapped + 4
    pop %ebp
    pop %edi
    pop %esi
    ret

/* Fills the boot page tables. In: EBP = NX high double word (0 when NX is unavailable),
 * offset_map_gib and offset_map_1gib_pages. Clobbers EAX, EBX, ECX, EDX. The tables are in .bss,
 * which GRUB zeroes, but they are cleared here anyway so the shim does not depend on that. */
build_page_tables:
    push %edi
    mov $boot_page_tables_start, %edi
    mov $((boot_page_tables_end - boot_page_tables_start) / 4), %ecx
    xor %eax, %eax
    rep stosl
    pop %edi

    /* Upper levels: present and writable; the leaf entries decide the rights. */
    movl $(boot_pdpt_low + PTE_PRESENT + PTE_WRITABLE), boot_pml4
    movl $(boot_pd_low + PTE_PRESENT + PTE_WRITABLE), boot_pdpt_low
    movl $(boot_pt_low + PTE_PRESENT + PTE_WRITABLE), boot_pd_low
    movl $(boot_pt_low + 4096 + PTE_PRESENT + PTE_WRITABLE), boot_pd_low + 8
    movl $(boot_pdpt_offset + PTE_PRESENT + PTE_WRITABLE), boot_pml4 + PML4_OFFSET_INDEX * 8

    /* Identity map of the low 4 MiB, one 4 KiB page per entry. */
    xor %ecx, %ecx              /* page number */
3:
    mov %ecx, %ebx
    shl $12, %ebx               /* EBX = address of the page */
    xor %edx, %edx              /* EDX = high double word of the entry */
    test %ebx, %ebx
    jz 6f                       /* page 0: unmapped */
    cmp $__stack_guard, %ebx
    je 6f                       /* guard page: unmapped */
    mov %ebx, %eax
    or $PTE_PRESENT, %eax
    cmp $__text_start, %ebx
    jb 4f
    cmp $__text_end, %ebx
    jb 5f                       /* text: read-only, executable */
    cmp $__rodata_end, %ebx
    jb 7f                       /* rodata: read-only, not executable */
4:
    or $PTE_WRITABLE, %eax      /* everything else: writable, not executable */
7:
    mov %ebp, %edx
5:
    mov %eax, boot_pt_low(, %ecx, 8)
    mov %edx, boot_pt_low + 4(, %ecx, 8)
6:
    inc %ecx
    cmp $IDENTITY_PAGES, %ecx
    jb 3b

    cmpb $0, offset_map_1gib_pages
    je 10f

    /* Offset map in 1 GiB pages: PDPT entry n maps physical n GiB. Bits 32 and up of the
     * address go into the entry's high double word, next to NX. */
    xor %ecx, %ecx
8:
    mov %ecx, %eax
    shl $30, %eax
    or $(PTE_PRESENT + PTE_WRITABLE + PTE_HUGE), %eax
    mov %ecx, %edx
    shr $2, %edx
    or %ebp, %edx
    mov %eax, boot_pdpt_offset(, %ecx, 8)
    mov %edx, boot_pdpt_offset + 4(, %ecx, 8)
    inc %ecx
    cmp offset_map_gib, %ecx
    jb 8b
    ret

10: /* Offset map in 2 MiB pages: one page directory per GiB, contiguous in memory, so entry n
     * of the combined array maps physical n * 2 MiB. */
    mov offset_map_gib, %ebx
    shl $9, %ebx                /* EBX = entries: 512 per GiB */
    xor %ecx, %ecx
8:
    mov %ecx, %eax
    shl $21, %eax
    or $(PTE_PRESENT + PTE_WRITABLE + PTE_HUGE), %eax
    mov %ecx, %edx
    shr $11, %edx
    or %ebp, %edx
    mov %eax, boot_pd_offset(, %ecx, 8)
    mov %edx, boot_pd_offset + 4(, %ecx, 8)
    inc %ecx
    cmp %ebx, %ecx
    jb 8b

    xor %ecx, %ecx
9:
    mov %ecx, %eax
    shl $12, %eax
    add $(boot_pd_offset + PTE_PRESENT + PTE_WRITABLE), %eax
    mov %eax, boot_pdpt_offset(, %ecx, 8)
    inc %ecx
    cmp offset_map_gib, %ecx
    jb 9b
    ret

/* Error path: EDX points at a NUL-terminated message. Written straight to the VGA text buffer
 * (paging is still off), then the CPU halts with interrupts off; it never resets. */
.Lno_multiboot2:
    mov $msg_no_multiboot2, %edx
    jmp boot_error
.Lno_cpuid:
    mov $msg_no_cpuid, %edx
    jmp boot_error
.Lno_long_mode:
    mov $msg_no_long_mode, %edx
boot_error:
    mov $0xb8000, %edi
    mov $msg_prefix, %ebx
    call 1f
    mov %edx, %ebx
    call 1f
    jmp boot_halt
1:  /* print the string at EBX, advancing EDI */
    movb (%ebx), %al
    test %al, %al
    jz 2f
    movb %al, (%edi)
    movb $ERROR_ATTRIBUTE, 1(%edi)
    add $2, %edi
    inc %ebx
    jmp 1b
2:
    ret
    .global boot_halt
boot_halt:
    cli
    hlt
    jmp boot_halt

msg_prefix:        .asciz "ERR: "
msg_no_multiboot2: .asciz "not started by a multiboot2 boot loader"
msg_no_cpuid:      .asciz "this CPU has no CPUID instruction"
msg_no_long_mode:  .asciz "this CPU does not support long mode (x86_64)"

/* A minimal 64-bit GDT: null, kernel code (L=1). Data segment registers are loaded with the null
 * selector, which 64-bit mode allows at CPL 0 (Intel SDM Vol. 3A, 3.4.4), so a later stage can
 * replace this GDT without leaving stale selectors behind.
 * The code descriptor's Accessed bit (40) is set here: loading CS from a descriptor whose Accessed
 * bit is clear makes the CPU write the bit into the GDT (SDM Vol. 3A, 3.4.5.1), and this GDT lies
 * in the shim's text, which is read-only once CR0.WP is on. That write would page-fault with no
 * IDT and reset the machine. QEMU's TCG skips the write, so only real CPUs and Bochs show it. */
    .balign 8
gdt64:
    .quad 0
gdt64_code:
    /* accessed, executable, code/data, present, long */
    .quad (1 << 40) | (1 << 43) | (1 << 44) | (1 << 47) | (1 << 53)
gdt64_pointer:
    .short gdt64_pointer - gdt64 - 1
    .long gdt64

/* ---------------------------------------------------------------------------------------------
 * 64-bit code */
    .code64
    /* Call-frame information for debuggers only (.debug_frame): RIP is undefined here, so a
     * backtrace from kernel_main ends at this function instead of walking into garbage. */
    .cfi_sections .debug_frame
long_mode_start:
    .cfi_startproc
    .cfi_undefined rip
    xor %eax, %eax
    mov %ax, %ss
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %fs
    mov %ax, %gs
    mov $__stack_top, %rsp
    xor %ebp, %ebp              /* ends frame-pointer backtraces here */
    mov %esi, %r12d             /* multiboot2 information, zero-extended */

    /* Constructors of globals that need code to initialise (C++ [basic.start.dynamic]). */
    lea __init_array_start(%rip), %rbx
10:
    lea __init_array_end(%rip), %rax
    cmp %rax, %rbx
    jae 11f
    call *(%rbx)
    add $8, %rbx
    jmp 10b
11:
    mov %r12, %rdi
    call kernel_main
    jmp boot_halt               /* kernel_main must not return; if it does, stop here */
    .cfi_endproc

/* ---------------------------------------------------------------------------------------------
 * Boot page tables. Stages read them through CR3 and the offset mapping (stage 08 on). */
    .section .bss.boot_page_tables, "aw", @nobits
    .balign 4096
boot_page_tables_start:
    .global boot_pml4
boot_pml4:        .skip 4096
boot_pdpt_low:    .skip 4096
boot_pd_low:      .skip 4096
boot_pt_low:      .skip 4096 * 2
boot_pdpt_offset: .skip 4096
boot_pd_offset:   .skip 4096 * OFFSET_MAX_2MIB_GIBIBYTES /* used only without 1 GiB pages */
boot_page_tables_end:

/* The boot information rewritten from multiboot1 (direct-load path only): total_size and
 * reserved, the memory map tag's header and entries, the end tag. */
    .section .bss.boot_info, "aw", @nobits
    .balign 8
converted_boot_info: .skip 8 + 16 + 24 * CONVERTED_MAP_ENTRIES
converted_map_end:   .skip 8

/* What the shim found out for the offset map; boot_physical_memory_mapped is read by the stages
 * (common/include/boot/boot.h). */
    .section .data.boot, "aw"
    .balign 8
    .global boot_physical_memory_mapped
boot_physical_memory_mapped: .quad 0
offset_map_gib:              .long 0
offset_map_1gib_pages:       .byte 0

    .section .note.GNU-stack, "", @progbits
