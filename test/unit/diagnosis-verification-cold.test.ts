import { describeVerification } from '../support/diagnosis-verification.ts';

// The -13 °C half of the verification; the other runs beside it (diagnosis-verification-mild.test.ts).
describeVerification(-13);
