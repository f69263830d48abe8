/**
 * The text the page opens with: long enough (about 250 tokens for the bundled model, d = 128) that the
 * in-sample scores exist (n > d), and half Bible, half Jargon File, like the model's training text.
 */
export const EXAMPLE_PROMPT = [
  'In the beginning God created the heaven and the earth. And the earth was without form, and void; and darkness was upon the face of the deep.',
  'And the Spirit of God moved upon the face of the waters. And God said, Let there be light: and there was light.',
  'And God saw the light, that it was good: and God divided the light from the darkness.',
  'A hacker is a person who enjoys exploring the details of programmable systems and how to stretch their capabilities,',
  'as opposed to most users, who prefer to learn only the minimum necessary. One who programs enthusiastically, even obsessively,',
  'or who enjoys programming rather than just theorizing about programming.',
  'A kludge is a clever programming trick intended to solve a particular nasty case in an expedient, if not clear, manner.',
  'And God called the light Day, and the darkness he called Night. And the evening and the morning were the first day.',
].join(' ');
