/* Reset for the C kernels' image: set the stack pointer, run the harness, idle in WFI (which
 * ends the simulator's run). */

extern void bench(void);

__attribute__((naked, noreturn, section(".text.reset"))) void reset(void) {
    __asm__ volatile(
        "ldr sp, =__stack_top\n"
        "bl bench\n"
        "1: wfi\n"
        "b 1b\n"
        ".ltorg\n");
}
