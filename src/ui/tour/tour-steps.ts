// The guided tour as data: each stop names the part of the page to show (an element id), a title and a short
// explanation for a class, and, where it helps, what to press there. Tour.svelte walks through them.
export interface TourStop {
  title: string;
  text: string;
  /** id of the element to scroll to and highlight. */
  target: string;
  /** What the visitor can do there (shown as a hint, never done for them). */
  action?: string;
}

export const TOUR: readonly TourStop[] = [
  {
    title: 'One model, two roles',
    target: 'intro',
    text:
      'Process-based self-rewarding lets one language model improve itself without human labels: it writes a solution step by ' +
      'step, judges its own candidate steps two at a time, and trains on the preferences it made. The boxes show the whole loop.',
  },
  {
    title: 'The model',
    target: 'model',
    text:
      'A small decoder trained here from scratch (M0), then taught the Step n: format and how to judge a pair of steps (the cold ' +
      'start, M1). Each iteration of the loop adds a LoRA adapter: M2, M3, … It runs in your browser, on the GPU or the CPU.',
  },
  {
    title: 'A problem',
    target: 'problem',
    text:
      'Word problems from a generated world: each difficulty level is one more step. The seed makes the problem repeatable for a ' +
      'class. You can also type your own; words the model does not know are marked.',
    action: 'Pick a difficulty and press New problem.',
  },
  {
    title: 'Solving, one step at a time',
    target: 'solve',
    text:
      'Greedy decoding: the most likely next step, again and again. The ✓ and ✗ badges come from a checker that knows the ' +
      'answer; they are for you only — the model never sees them.',
    action: 'Press Solve.',
  },
  {
    title: 'The search and the self-judge',
    target: 'search',
    text:
      'At every step the model samples several candidates and compares each pair: “which step is better, A or B?”. It judges ' +
      'both orders (A, B) and (B, A) and averages them, because small models prefer whatever comes first — position bias. The ' +
      'step with most wins is kept; the best and the worst become a preference pair.',
    action: 'Press Run the search and click a cell of the matrix to read the judge’s working.',
  },
  {
    title: 'Why judge steps, not whole solutions',
    target: 'search',
    text:
      'A solution-level judge (the SRLM baseline) sees only that an answer is wrong. A step-level judge points at the first step ' +
      'that goes wrong, so each preference pair differs in one step and teaches exactly that step.',
  },
  {
    title: 'One iteration of the loop',
    target: 'loop',
    text:
      'The model searches fresh problems, collects its own step pairs, and trains on them with step-DPO: raise the chosen step’s ' +
      'likelihood relative to the rejected one, measured against the reference model M_t — the model as it was when the ' +
      'iteration began — so it cannot drift far. Only the adapter changes. It is evaluated before and after on held-out problems.',
    action:
      'Press Start (the defaults took about half a minute on the CPU of our 2-core test machine). For a class, tick Step through: ' +
      'the iteration then waits for Next after each searched problem and each training step.',
  },
  {
    title: 'Reading the results honestly',
    target: 'loop',
    text:
      'A toy iteration trains on a few pairs and is evaluated on a few problems: the brackets give the range a change could take ' +
      'by chance. “Own pairs preferred” shows whether the model learned what it was taught. Each iteration is kept below, and ' +
      'saved in this browser.',
  },
];
