const PAPER_URL = 'https://arxiv.org/abs/2405.12250';

/** What LinScope is, shown where the results go until there are some. */
export function About() {
  return (
    <div className="app__about">
      <p>
        Consecutive layers of decoder language models are about 99% linearly related (
        <a href={PAPER_URL} rel="noreferrer" target="_blank">
          “Your Transformer is Secretly Linear”
        </a>
        , ACL 2024). LinScope runs a model in this tab, on your text, and shows where that holds and where it
        breaks: per layer, and per token. Nothing you type leaves this page.
      </p>
      <p>Pick a model, give it some text and press Analyze.</p>
    </div>
  );
}
