import { describeVerification } from '../support/diagnosis-verification.ts';

// The -5 °C half of the verification; the other runs beside it (diagnosis-verification-cold.test.ts).
describeVerification(-5);
