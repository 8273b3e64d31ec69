import { GradientChart } from '../charts/GradientChart.tsx';
import { HeatingCurve } from '../charts/HeatingCurve.tsx';
import { NetworkMap } from '../charts/NetworkMap.tsx';
import { PressureProfile } from '../charts/PressureProfile.tsx';
import { t } from '../i18n/index.ts';
import { balance, site, substations } from '../state.ts';
import { Headline } from './Headline.tsx';

/** The dispatcher's first screen: headline, the network, and the three profiles. */
export function Network() {
  const b = balance.value;
  if (!b) return <p>{t('common.loading')}</p>;
  const byId = new Map(b.substations.map((s) => [s.id, s]));
  return (
    <>
      <Headline />
      <NetworkMap stations={b.substations} />
      <div class="charts">
        <GradientChart balance={b} />
        <PressureProfile stations={substations.value} />
        {site.value && (
          <HeatingCurve
            curve={site.value.heatingCurve}
            outdoorC={b.outdoorTempC}
            stations={substations.value}
            balance={byId}
          />
        )}
      </div>
    </>
  );
}
