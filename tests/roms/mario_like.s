; A stand-in for Super Mario Bros that keeps the RAM cells gym-super-mario-bros 7.4.0 reads where the real game
; keeps them, so the Mario env (start-screen skip, rewards, death, flag, time-out, game over) runs without the
; real ROM. The "level" is a straight line:
;   - title: time 000 until Start is pressed; then a pre-level pause (player state 7, timer $07A0) with time 401,
;     and the level begins with time 400, Mario at x_pos 40 on the ground (y_pos 79), state 8 (normal);
;   - Right moves Mario one pixel a frame, Left one back (not below 0); the clock loses 1 every 8 frames;
;   - a "goomba" stands at x_pos 150: reaching it without holding A starts the dying state (11), which becomes
;     dead (6) after 30 frames; dead takes a life (2, 1, 0, then $FF = game over) and restarts the level after
;     the pre-level pause; the clock reaching 000 kills Mario the same way;
;   - the flag stands at x_pos 300: touching it puts the flagpole (enemy type $31) in slot $16 and float state 3
;     in $1D for 60 frames, then the next stage (stage 1-4, then the next world) begins.
; A sprite draws Mario at his x position on a sky-blue screen.

.include "nes.inc"

player_state   = $0E    ; 6 dead, 7 entering area (busy), 8 normal, 11 dying
enemy_type     = $16    ; first of the five enemy slots
float_state    = $1D
x_page         = $6D
x_pixel        = $86
y_viewport     = $B5
y_pixel        = $03B8
status         = $0756
lives          = $075A
stage          = $075C
world          = $075F
area           = $0760
game_mode      = $0770
prelevel_timer = $07A0
time_digits    = $07F8  ; three decimal digits, hundreds first

mode           = $22    ; 0 title, 1 pre-level, 2 playing, 3 game over, 4 on the flag
clock_ticks    = $23
dying_frames   = $24
flag_frames    = $25

MODE_TITLE    = 0
MODE_PRELEVEL = 1
MODE_PLAYING  = 2
MODE_GAMEOVER = 3
MODE_FLAG     = 4

GOOMBA_X   = 150        ; page 0
FLAG_PAGE  = 1
FLAG_PIXEL = 44         ; x_pos 300

.proc reset
    power_on
    lda #2
    sta lives
    lda #$22            ; sky blue backdrop, red Mario
    ldy #$00
    jsr set_palette_entry
    lda #$16
    ldy #$11
    jsr set_palette_entry
    run_in_nmi %00011110    ; background and sprites, leftmost column included
.endproc

.proc nmi
    push_registers
    lda #0
    sta OAMADDR
    lda #$02
    sta OAMDMA
    inc frames
    jsr read_joypad
    jsr update
    jsr place_sprite
    pull_registers_and_return
.endproc

.proc update
    lda mode
    cmp #MODE_TITLE
    bne :+
    jmp title
:   cmp #MODE_PRELEVEL
    bne :+
    jmp prelevel
:   cmp #MODE_PLAYING
    bne :+
    jmp playing
:   cmp #MODE_FLAG
    bne :+
    jmp on_flag
:   rts
.endproc

.proc title
    lda buttons
    and #BUTTON_START
    beq :+
    lda #4              ; 401 during the pause before the level, as a pre-level screen would show
    sta time_digits
    lda #0
    sta time_digits+1
    lda #1
    sta time_digits+2
    jsr begin_prelevel
:   rts
.endproc

.proc begin_prelevel
    lda #7
    sta player_state
    lda #30
    sta prelevel_timer
    lda #MODE_PRELEVEL
    sta mode
    rts
.endproc

.proc prelevel
    lda prelevel_timer
    beq start_level
    dec prelevel_timer
    rts
start_level:
    lda #4
    sta time_digits
    lda #0
    sta time_digits+1
    sta time_digits+2
    sta x_page
    sta enemy_type
    sta float_state
    sta clock_ticks
    sta status
    lda #40
    sta x_pixel
    lda #1
    sta y_viewport
    sta game_mode
    lda #176
    sta y_pixel
    lda #8
    sta player_state
    lda #MODE_PLAYING
    sta mode
    rts
.endproc

.proc playing
    lda player_state
    cmp #11
    bne :+
    jmp dying
:   cmp #6
    bne :+
    jmp dead
:   jsr move
    jsr check_goomba
    jsr check_flag
    jmp tick_clock
.endproc

.proc move
    lda buttons
    and #BUTTON_RIGHT
    beq left
    inc x_pixel
    bne left
    inc x_page
left:
    lda buttons
    and #BUTTON_LEFT
    beq done
    lda x_pixel
    bne step_back
    lda x_page
    beq done            ; already at 0
    dec x_page
step_back:
    dec x_pixel
done:
    rts
.endproc

.proc check_goomba
    lda x_page
    bne done
    lda x_pixel
    cmp #GOOMBA_X
    bne done
    lda buttons
    and #BUTTON_A       ; jumping over it
    bne done
    jsr start_dying
done:
    rts
.endproc

.proc check_flag
    lda x_page
    cmp #FLAG_PAGE
    bcc done
    lda x_pixel
    cmp #FLAG_PIXEL
    bcc done
    lda #$31
    sta enemy_type
    lda #3
    sta float_state
    lda #60
    sta flag_frames
    lda #MODE_FLAG
    sta mode
done:
    rts
.endproc

.proc tick_clock
    lda player_state
    cmp #8
    bne done            ; the clock stops once Mario is dying
    inc clock_ticks
    lda clock_ticks
    cmp #8
    bne done
    lda #0
    sta clock_ticks
    dec time_digits+2
    bpl check_zero
    lda #9
    sta time_digits+2
    dec time_digits+1
    bpl check_zero
    lda #9
    sta time_digits+1
    dec time_digits
check_zero:
    lda time_digits
    ora time_digits+1
    ora time_digits+2
    bne done
    jsr start_dying
done:
    rts
.endproc

.proc start_dying
    lda #11
    sta player_state
    lda #30
    sta dying_frames
    rts
.endproc

.proc dying
    dec dying_frames
    bne :+
    lda #6
    sta player_state
:   rts
.endproc

.proc dead
    dec lives
    lda lives
    cmp #$FF
    beq game_over
    jmp begin_prelevel
game_over:
    lda #MODE_GAMEOVER
    sta mode
    rts
.endproc

.proc on_flag
    dec flag_frames
    bne done
    lda #0
    sta enemy_type
    sta float_state
    inc stage
    lda stage
    cmp #4
    bne next
    lda #0
    sta stage
    inc world
next:
    jsr begin_prelevel
done:
    rts
.endproc

; Sprite 0 is Mario: on the ground at his x within the page while a level runs, hidden otherwise.
.proc place_sprite
    lda mode
    cmp #MODE_PLAYING
    beq visible
    cmp #MODE_FLAG
    beq visible
    lda #$FF
    sta $0200
    rts
visible:
    lda #160
    sta $0200
    lda #1
    sta $0201
    lda #0
    sta $0202
    lda x_pixel
    sta $0203
    rts
.endproc

.proc irq
    rti
.endproc

.segment "VECTORS"
    .word nmi, reset, irq

.segment "CHARS"
    .res 16, 0                      ; tile 0: blank
    .byte $FF, $FF, $FF, $FF, $FF, $FF, $FF, $FF, 0, 0, 0, 0, 0, 0, 0, 0   ; tile 1: a solid block of colour 1
