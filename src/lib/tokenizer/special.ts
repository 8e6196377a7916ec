// Special tokens of the tiny model's vocabulary (ids 0..N-1 in this order) and the markers the
// IFT / EFT / pretraining text formats use. Kept in one place so formats and tokenizer agree.

export const PAD = '<pad>';
export const BOS = '<bos>';
export const EOS = '<eos>';
export const UNK = '<unk>';
/** Question follows. */
export const Q = '<q>';
/** The solver's solution follows. */
export const SOL = '<sol>';
/** Ends a non-final step (the final step ends with <eos>). */
export const STEP = '<step>';
/** A pairwise step judgment follows. */
export const JUDGE = '<judge>';
/** The accepted previous steps follow. */
export const PREV = '<prev>';
/** Candidate A / candidate B follow. */
export const CAND_A = '<A>';
export const CAND_B = '<B>';
/** The judge's own working follows. */
export const WORK = '<work>';
/** The verdict token (A or B) follows. */
export const VERDICT = '<verdict>';
/** A whole-solution score (digit 0..5) follows. */
export const SCORE = '<score>';

export const SPECIAL_TOKENS: readonly string[] = [PAD, BOS, EOS, UNK, Q, SOL, STEP, JUDGE, PREV, CAND_A, CAND_B, WORK, VERDICT, SCORE];
