import type { LinScopeResult, ResultLinearize } from '../job/result';
import { ContinuationCompare } from './ContinuationCompare';
import { LinearizeSweepChart, LossChangeRows, sweepCaption } from './charts';
import { ExperimentRunsTable, mapsText } from './ExperimentRunsTable';
import './ExperimentResults.css';

interface ExperimentResultsProps {
  result: LinScopeResult;
  linearize: ResultLinearize;
}

/**
 * The block-replacement experiment on the result: where the maps came from, the runs against the
 * original (table, per-token loss change, continuations), and the sweep figure.
 */
export function ExperimentResults({ result, linearize }: ExperimentResultsProps) {
  const { maps, sweep } = linearize;
  return (
    <div className="experiment-results" data-testid="linearize-results">
      <p
        className={`experiment-results__maps${maps.inSample ? ' experiment-results__maps--in-sample' : ''}`}
        data-testid="linearize-maps"
        data-source={maps.source}
        data-in-sample={String(maps.inSample)}
      >
        {maps.inSample ? 'In sample: ' : ''}maps fitted on {mapsText(maps)}.
      </p>
      {linearize.runs.length > 0 && (
        <>
          <ExperimentRunsTable linearize={linearize} />
          <LossChangeRows
            tokens={result.tokens}
            linearize={linearize}
            modelId={result.model.id}
            headingLevel={3}
          />
        </>
      )}
      <ContinuationCompare result={result} linearize={linearize} />
      {sweep && (
        <LinearizeSweepChart
          linearize={{ ...linearize, sweep }}
          modelId={result.model.id}
          caption={sweepCaption(result, linearize)}
          headingLevel={3}
        />
      )}
    </div>
  );
}
