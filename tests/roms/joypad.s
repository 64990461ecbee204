; A test ROM whose whole screen takes a colour chosen by the joypad: the highest button held picks it (Right
; first, then Left, Down, Up, Start, Select, B, A; nothing held shows light blue). The joypad byte is also kept
; in RAM at $20 in nes-py's bit layout and $21 counts frames, so tests can check input through RAM too.

.include "nes.inc"

.proc reset
    power_on
    run_in_nmi %00001010    ; the background only: all blank tiles, so the backdrop colour fills the screen
.endproc

.proc nmi
    push_registers
    inc frames
    jsr read_joypad
    ldy #8              ; index of the highest button held, 0 for none
    lda buttons
:   asl a
    bcs found
    dey
    bne :-
found:
    lda colours,y
    ldy #0
    jsr set_palette_entry
    pull_registers_and_return
.endproc

.proc irq
    rti
.endproc

.segment "RODATA"
;              none  A    B    Select Start Up   Down Left Right
colours: .byte $21, $16, $1A, $12,   $28,  $24, $2A, $14, $27

.segment "VECTORS"
    .word nmi, reset, irq

.segment "CHARS"
    .res $2000, 0
